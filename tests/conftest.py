"""Suite-wide settings (the ``spark`` marker comes from the installed dwh plugin).

It also holds the one private local Spark Connect server of the warm tests (tests/spark,
tests/tui): its own discovery file (``SPARK_LOCAL_CONNECT_DISCOVERY``) and a free port,
so the tests never meet a developer's server, killed by pid at the end even if a test
failed or replaced it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from dwh.processes import pid_alive
from dwh.settings import SPARK_PORT_ENV as PORT_ENV
from dwh.settings import environ_scope
from dwh.spark._discovery import DISCOVERY_ENV, read_recorded
from dwh.spark.runner import start_runner
from dwh.spark.server import ServerStatus, ensure_server, stop_server


@pytest.fixture(autouse=True)
def _isolated_dwh_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs record to a throwaway run store, never to the checkout's ``./.dwh``."""
    monkeypatch.setenv("DWH_HOME", str(tmp_path_factory.mktemp("dwh-home")))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def warm_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The private discovery folder; its variables are set for the whole session."""
    folder = tmp_path_factory.mktemp("warm-server")
    private = {DISCOVERY_ENV: str(folder / "connect-local.json"), PORT_ENV: str(_free_port())}
    with environ_scope(private):
        seen: set[int] = set()
        try:
            yield folder
        finally:
            recorded = read_recorded(folder / "connect-local.json")
            if recorded is not None:
                seen.add(recorded.pid)
            with contextlib.suppress(Exception):
                stop_server()
            for pid_file in folder.glob("*.pid"):
                with contextlib.suppress(OSError, ValueError):
                    seen.add(int(pid_file.read_text().strip()))
            for pid in seen:
                if pid_alive(pid):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def warm_server(warm_dir: Path) -> ServerStatus:
    """A running server, shared by the warm tests: started once, and again after a test
    that killed it (the same port, so the same url). Its warm runner is started too, as
    ``dwh spark start`` does, unless ``DWH_WARM_RUNNER=off`` (run the warm tests both
    ways: with the runner, and with it off)."""
    status = ensure_server()
    start_runner(wait=True)
    return status

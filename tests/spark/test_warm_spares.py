"""Warm runs leave a spare session ready, and the next warm run claims it.

A spare has the session's Python workers up, so the next run's first Python step does
not start them; runs stay isolated, since each spare is a fresh session that only ran
a trivial step (``test_warm_runs.py`` checks isolation and code edits with spares on).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from warm_support import dwh_run, metrics_of, probe_package, read_events

from dwh.spark.prewarm import prewarm_dir, record_spare
from dwh.spark.remote import with_session_id
from dwh.spark.server import ServerStatus

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The probe job package and the environment to run it in."""
    return probe_package(tmp_path_factory)


def spares(timeout: float = 0) -> list[str]:
    """The ready spares' session ids, waiting up to ``timeout`` for one."""
    deadline = time.monotonic() + timeout
    while True:
        ready = sorted(path.stem for path in prewarm_dir().glob("*.json"))
        if ready or time.monotonic() >= deadline:
            return ready
        time.sleep(0.2)


def test_a_warm_run_claims_the_spare_and_leaves_the_next_one(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    config = {"mode": "code", "output_path": str(tmp_path / "out")}
    first = dwh_run("probe", config, env=env, events=tmp_path / "first.jsonl")
    assert first.returncode == 0, first.stderr
    ready = spares(timeout=120)
    assert len(ready) == 1

    second = dwh_run("probe", config, env=env, events=tmp_path / "second.jsonl")

    assert second.returncode == 0, second.stderr
    assert metrics_of(read_events(tmp_path / "second.jsonl"))["arrow"]
    assert ready[0] not in spares()  # claimed by the second run
    after = spares(timeout=120)
    assert len(after) == 1 and after != ready


def test_turned_off_a_warm_run_leaves_no_spare(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    for path in prewarm_dir().glob("*.json"):
        path.unlink()
    config = {"mode": "code", "output_path": str(tmp_path / "out")}

    result = dwh_run(
        "probe", config, env={**env, "DWH_SPARK_PREWARM": "off"}, events=tmp_path / "e.jsonl"
    )

    assert result.returncode == 0, result.stderr
    time.sleep(5)  # a spare, had one been started, takes about 2 s here
    assert spares() == []


CLOSE_SESSION = """
import sys
from dwh.spark.session import get_spark_session
session = get_spark_session(remote=sys.argv[1])
session.range(1).count()
session.stop()
"""


def test_a_spare_the_server_has_closed_is_replaced_by_a_fresh_session(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    for path in prewarm_dir().glob("*.json"):
        path.unlink()
    closed = str(uuid.uuid4())
    assert warm_server.url is not None and warm_server.pid is not None
    subprocess.run(
        [sys.executable, "-c", CLOSE_SESSION, with_session_id(warm_server.url, closed)],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    record_spare(closed, warm_server.pid)  # as if it had timed out on the server

    config = {"mode": "code", "output_path": str(tmp_path / "out")}
    result = dwh_run("probe", config, env=env, events=tmp_path / "e.jsonl")

    assert result.returncode == 0, result.stderr
    assert closed not in spares()  # claimed, found closed, and a fresh session used

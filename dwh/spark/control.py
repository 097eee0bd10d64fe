"""Stop the local Spark Connect server, and hold its discovery file's lock; light.

Kept apart from :mod:`dwh.spark.server` (which starts a server through pyspark's
launcher) so that ``dwh spark stop``, and anything else that only stops or waits for
the server, never imports pyspark.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from dwh.processes import pid_alive, terminate
from dwh.spark._discovery import discovery_path, is_connect_server, read_recorded
from dwh.spark.runner import stop_runner

__all__ = ["locked", "stop_recorded", "stop_server"]

_STOP_TIMEOUT_S = 30.0


def stop_server() -> bool:
    """Stop the warm runner and the recorded server; False when no server ran."""
    stop_runner()
    path = discovery_path()
    if not path.exists():
        return False
    with locked(path):
        return stop_recorded(path)


def stop_recorded(path: Path) -> bool:
    """Stop whatever server the file (or the daemon's pid file) records; clear both."""
    stopped = False
    pids = {r.pid for r in [read_recorded(path)] if r is not None} | set(_daemon_pids(path))
    for pid in pids:
        if pid_alive(pid) and is_connect_server(pid):
            terminate(pid, _STOP_TIMEOUT_S)
            stopped = True
    for stale in [path, *_daemon_pid_files(path)]:
        with contextlib.suppress(OSError):
            stale.unlink()
    return stopped


def _daemon_pid_files(path: Path) -> list[Path]:
    return list(path.parent.glob("spark-*-org.apache.spark.sql.connect.service.*.pid"))


def _daemon_pids(path: Path) -> list[int]:
    pids = []
    for pid_file in _daemon_pid_files(path):
        with contextlib.suppress(OSError, ValueError):
            pids.append(int(pid_file.read_text().strip()))
    return pids


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock pyspark's own reuse takes on this discovery file."""
    with open(f"{path}.lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield

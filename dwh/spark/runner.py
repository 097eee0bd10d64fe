"""The warm runner beside the local Spark server: where it lives, its state, start, stop.

The runner (``python -m dwh.cli._runner``, :mod:`dwh.cli._runner`) is a resident
process that has imported what every warm run imports (dwh, pyspark's Connect client,
pandas, pyarrow, click, pydantic), never a job's module, and forks one child per warm
run; the child runs the run's command (``dwh run ... --warm`` or the generic entry)
with the caller's argv, environment, working directory and file descriptors. The
caller talks to it through :mod:`dwh.spark._runner_client`. Light: no pyspark import.

Where it lives: a folder beside the discovery file (``$DWH_HOME/spark/runner/`` by
default), mode 0700, holding the socket ``runner.sock`` (0600), its record
``runner.json`` (pid, start time, the server it is paired with, imports held, runs
served) and its log ``runner.log``. ``DWH_WARM_RUNNER=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dwh.processes import cmdline, pid_alive, terminate, uptime_s
from dwh.settings import warm_runner_enabled
from dwh.spark._discovery import discovery_path, read_recorded

__all__ = [
    "RUNNER_MODULE",
    "RunnerStatus",
    "record_path",
    "runner_dir",
    "runner_status",
    "socket_address",
    "socket_path",
    "spawn_runner",
    "start_runner",
    "stop_runner",
]

RUNNER_MODULE = "dwh.cli._runner"
"""The runner's module, started as ``python -P -m``: it serves ``dwh run``, so it sits
in the CLI's layer; this module only names it."""

START_TIMEOUT_S = 120.0
_STOP_TIMEOUT_S = 30.0
_STARTING = "starting.pid"


def runner_dir() -> Path:
    """The runner's folder, beside the discovery file (``$DWH_HOME/spark/runner``)."""
    return discovery_path().parent / "runner"


def socket_path() -> Path:
    """The runner's socket."""
    return runner_dir() / "runner.sock"


def socket_address(path: Path) -> str:
    """The address to bind or connect ``path`` by; a long one goes through
    ``/proc/self/fd`` (a socket's path holds at most 107 bytes)."""
    if len(str(path).encode()) < 100:
        return str(path)
    folder = os.open(path.parent, os.O_PATH)  # left open: the address names it
    return f"/proc/self/fd/{folder}/{path.name}"


def record_path() -> Path:
    """The runner's record (JSON)."""
    return runner_dir() / "runner.json"


@dataclass(frozen=True)
class RunnerStatus:
    """How the warm runner stands.

    Attributes:
        running: Whether a runner process is alive and its socket is there.
        enabled: False when ``DWH_WARM_RUNNER`` is off.
        pid: Its pid (also the last one's, when it is gone).
        uptime_s: Seconds since it started, when running.
        imports: How many modules it holds imported.
        runs: How many runs it has forked.
        server_pid: The Spark server it is paired with.
    """

    running: bool
    enabled: bool = True
    pid: int | None = None
    uptime_s: float | None = None
    imports: int | None = None
    runs: int | None = None
    server_pid: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The fields ``dwh spark status --json`` prints under ``runner``."""
        return {
            "running": self.running,
            "enabled": self.enabled,
            "pid": self.pid,
            "uptime_s": self.uptime_s,
            "imports": self.imports,
            "runs": self.runs,
            "server_pid": self.server_pid,
        }


def read_record() -> dict[str, Any] | None:
    """The runner's record, or None when it is missing or not understood."""
    try:
        data = json.loads(record_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_runner(pid: int) -> bool:
    """Whether ``pid`` is a warm runner process (its command line names the module)."""
    args = cmdline(pid)
    return args is None or RUNNER_MODULE in args


def runner_status() -> RunnerStatus:
    """Return the runner's state from its record, the process table and its socket."""
    enabled = warm_runner_enabled()
    record = read_record()
    if record is None:
        return RunnerStatus(running=False, enabled=enabled)
    pid = _int(record.get("pid"))
    alive = pid is not None and pid_alive(pid) and is_runner(pid) and socket_path().exists()
    return RunnerStatus(
        running=alive,
        enabled=enabled,
        pid=pid,
        uptime_s=uptime_s(pid) if alive and pid else None,
        imports=_int(record.get("imports")),
        runs=_int(record.get("runs")),
        server_pid=_int(record.get("server_pid")),
    )


def start_runner(*, wait: bool = True, timeout: float = START_TIMEOUT_S) -> RunnerStatus:
    """Start a runner in a detached process unless one runs or is starting.

    Args:
        wait: Wait until it serves (or has failed), up to ``timeout`` seconds.
        timeout: How long to wait.

    Returns:
        Its state; ``running`` False when it is off, failed, or still starting.
    """
    if not warm_runner_enabled():
        return RunnerStatus(running=False, enabled=False)
    status = runner_status()
    if status.running:
        return status
    server = read_recorded()
    if server is None or not pid_alive(server.pid):
        return status  # no server to pair with: the server's start starts one
    runner_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(runner_dir() / "start.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # two callers at once start one runner
        if runner_status().running:
            return runner_status()
        starting = _starting_pid()
        if starting is None:
            starting = spawn_runner()
    if wait:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pid_alive(starting):
            status = runner_status()
            if status.running and status.pid == starting:
                return status
            time.sleep(0.05)
    return runner_status()


def spawn_runner() -> int:
    """Start a runner process, detached, and return its pid (a new runner replaces the
    one that serves, which then ends once its runs have)."""
    folder = runner_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(folder / "runner.log", "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-P", "-m", RUNNER_MODULE],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd="/",
            start_new_session=True,
        )
    with contextlib.suppress(OSError):
        (folder / _STARTING).write_text(str(child.pid), encoding="utf-8")
    return child.pid


def _starting_pid() -> int | None:
    """A runner being started by another caller: one start, not one per caller."""
    try:
        pid = int((runner_dir() / _STARTING).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) and is_runner(pid) else None


def stop_runner() -> bool:
    """Stop the runner (its running children are asked to stop too); False if none ran."""
    record = read_record()
    pid = _int(record.get("pid")) if record else None
    stopped = False
    for candidate in {pid, _starting_pid()} - {None}:
        assert candidate is not None
        if pid_alive(candidate) and is_runner(candidate):
            terminate(candidate, _STOP_TIMEOUT_S)
            stopped = True
    for stale in (socket_path(), record_path()):
        with contextlib.suppress(OSError):
            stale.unlink()
    return stopped


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None

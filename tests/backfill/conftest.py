"""Fixtures for the backfill tests: the ``dated`` test job, run through the real command line."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import SUPPORT_DIR, job_env

from dwh.runs.store import RunRecord, RunStore

DAYS = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
CLI = "import sys; from dwh.cli import main; sys.exit(main())"


class Env:
    """A private DWH_HOME, lock folder and output folder, with the test jobs registered."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        self.out = tmp_path / "out"
        self.vars = job_env(tmp_path, DWH_LOCK_DIR=str(tmp_path / "locks"))
        self.home = Path(self.vars["DWH_HOME"])

    def config(self, **extra: Any) -> str:
        """A ``dated`` config template writing under ``out/<year>/<month>``."""
        return json.dumps({"out_dir": str(self.out / "{run_date:%Y/%m}"), **extra})

    def order(self) -> list[str]:
        """The dates the job ran, in the order they started."""
        log = self.out / "2026" / "11" / "order.log"
        if not log.is_file():
            return []
        return [line.split()[0] for line in log.read_text().splitlines()]

    def runs(self, **filters: Any) -> list[RunRecord]:
        """The run store's runs, oldest first."""
        path = self.home / "runs.db"
        if not path.is_file():
            return []
        with RunStore(path) as store:
            return store.runs(limit=1000, **filters)[::-1]

    def argv(self, *args: str) -> list[str]:
        """``dwh ARGS...`` as a fresh interpreter runs it."""
        return [sys.executable, "-c", CLI, *args]

    def dwh(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run ``dwh ARGS...`` and wait."""
        return subprocess.run(
            self.argv(*args),
            env=self.vars,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start ``dwh ARGS...`` without waiting."""
        return subprocess.Popen(
            self.argv(*args),
            env=self.vars,
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def backfill(self, *args: str, config: str | None = None) -> subprocess.CompletedProcess[str]:
        """``dwh backfill dated`` over :data:`DAYS`."""
        return self.dwh(
            "backfill", "dated", "-c", config or self.config(), "--from", DAYS[0], "--to",
            DAYS[-1], *args,
        )  # fmt: skip


def children_of(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_bytes()
            if int(stat[stat.rindex(b")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def kill_tree(proc: subprocess.Popen[str]) -> None:
    """SIGKILL a process and its children (each date's run has its own process group)."""
    children = children_of(proc.pid)
    proc.kill()
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=30)


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "") -> None:
    """Poll until ``condition()`` is true, or fail the test."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """A private environment for backfills of the ``dated`` test job."""
    yield Env(tmp_path)


@pytest.fixture
def in_process(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    """This process's environment set like the subprocess tests' (the dated job allowed)."""
    for name in ("DWH_HOME", "DWH_JOB_PACKAGES", "PYTHONPATH", "DWH_LOCK_DIR"):
        monkeypatch.setenv(name, env.vars[name])
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    return env


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; each is killed by pid if it is still running at the end."""
    procs: list[subprocess.Popen[str]] = []
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                kill_tree(proc)

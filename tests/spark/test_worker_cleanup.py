"""A released session's Python workers end with it; no one else's do; the log stays clean.

pyspark 4.3's server keeps every session's Python worker daemon until it stops
(SPARK-54055); dwh ends the daemon of each session it releases (``dwh.spark.workers``).
Two tests on the suite's one private server, with one child process each for the runs
(``session_driver.py``), to stay cheap on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from warm_support import WORKTREE, ServerLog, held_run, probe_package, settle_spare

from dwh.backfill._engine import SharedSessions
from dwh.processes import pid_alive, wait_gone
from dwh.spark.prewarm import claim, prewarm_dir, start_prewarm
from dwh.spark.server import ServerStatus
from dwh.spark.workers import python_workers

pytestmark = pytest.mark.spark

DRIVER = str(Path(__file__).with_name("session_driver.py"))
LIMIT = (os.cpu_count() or 1) + 2


def drive(*args: str, timeout: float = 600) -> list[dict[str, Any]]:
    """Run the session driver; return its runs' reports."""
    env = {**os.environ, "PYTHONPATH": str(WORKTREE)}
    done = subprocess.run(
        [sys.executable, DRIVER, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def daemons(server: ServerStatus) -> dict[str, int]:
    """The server's Python worker daemons, by artifact UUID."""
    assert server.pid is not None
    return {w.artifact_uuid or "": w.pid for w in python_workers(server.pid) if w.daemon}


def test_fifteen_runs_leave_no_workers_and_never_touch_a_concurrent_run(
    warm_server: ServerStatus, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    root, env = probe_package(tmp_path_factory)
    log = ServerLog()
    # Workers of sessions earlier tests made outside dwh (and so never released by it)
    # are not this test's: it counts what appears while it runs.
    earlier = {w.pid for w in python_workers(warm_server.pid or 0)}
    with held_run(root, env, tmp_path) as held:
        runs = drive("loop", str(warm_server.url), "15")

        assert held.process.poll() is None, "the concurrent run ended while its step was held"
        assert all(pid_alive(pid) for pid in held.workers), "a live run's worker was ended"
        held.finish()

    assert len(runs) == 15
    for run in runs:
        assert run["ids"] == [0, 1, 2, 3]
        assert run["worker_uuids"] == [run["client_uuid"]]  # the UUID dwh ends by
    settle_spare()
    deadline = time.monotonic() + 30  # a released session's workers exit on SIGTERM
    while True:
        left = [w for w in python_workers(warm_server.pid or 0) if w.pid not in earlier]
        if len(left) <= LIMIT or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(left) <= LIMIT, left
    assert not {run["client_uuid"] for run in runs} & set(daemons(warm_server))
    assert log.errors() == []
    # Every query streamed to its end, none was reattachable: a reattachable one's early
    # ReleaseExecute is what raced the server's response sender (docs/warm.md).
    text = log.text()
    assert "reattachable=false" in text and "reattachable=true" not in text


def test_shared_sessions_and_a_spare_keep_their_workers_until_released(
    warm_server: ServerStatus,
) -> None:
    url = str(warm_server.url)
    log = ServerLog()
    start_prewarm(url)
    settle_spare()
    spare = json.loads(next(prewarm_dir().glob("*.json")).read_text())["artifact_uuid"]
    shared = SharedSessions(url, slots=2)

    dates = drive("attach", *shared.remotes, *shared.remotes)  # two dates per slot

    slot_uuids = {date["client_uuid"] for date in dates}
    assert len(slot_uuids) == 2  # each slot's dates ran in its one session
    alive = daemons(warm_server)
    assert slot_uuids | {spare} <= set(alive)  # not before their release
    spare_remote = claim(url)
    assert spare_remote is not None

    child = shared.release()
    assert child is not None and child.wait(timeout=300) == 0
    for uuid in slot_uuids:
        assert wait_gone(alive[uuid], 30), f"shared session {uuid}'s daemon outlived it"
    assert pid_alive(alive[spare])  # the spare, claimed and not yet released, keeps its own
    released = subprocess.run(
        [sys.executable, "-m", "dwh.spark._release", spare_remote],
        env={**os.environ, "PYTHONPATH": str(WORKTREE)}, timeout=300, check=True,
    )  # fmt: skip
    assert released.returncode == 0
    assert wait_gone(alive[spare], 30), "the released spare's daemon outlived it"
    assert log.errors() == []

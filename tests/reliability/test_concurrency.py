"""Concurrency with real processes: output locks, stale locks, and 20 run-store writers.

The lock tests run a tiny fixture job (``lockjobs.slow``) through the real generic
entry: it writes 20 files into a staging folder, slowly, then commits it with the same
atomic exchange the parquet loader uses, so the output is either one run's or another's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lifecycle_support import STORE_WRITER

from dwh.errors import JobAlreadyRunningError
from dwh.jobs.filter_images.filter_images_job_factory import FilterImagesJobFactory
from dwh.jobs.transform_images.transform_images_job_factory import TransformImagesJobFactory
from dwh.runs.locks import OutputLock, output_locks
from dwh.runs.store import RunStore

REPO = Path(__file__).resolve().parents[2]
GLUE_ENTRY = REPO / "scripts" / "glue" / "generic_entry.py"
SLOW = "lockjobs.slow.slow_job_factory"

SLOW_JOB = textwrap.dedent(
    '''
    """Writes 20 files slowly into a staging folder, then commits it atomically."""

    from __future__ import annotations

    import time
    from pathlib import Path
    from typing import Any

    from dwh.config import JobConfig
    from dwh.jobs.abstract_job import AbstractJob
    from dwh.jobs.abstract_job_factory import AbstractJobFactory
    from dwh.services import atomic_commit


    class SlowConfig(JobConfig):
        output_path: str
        seconds: float = 0.0
        text: str = "x"


    class SlowJob(AbstractJob):
        def execute_job(self, output_path: str, seconds: float, text: str, **_: Any) -> dict:
            target = Path(output_path)
            atomic_commit.recover(target)  # as ParquetLoader does: a dead run's staging goes
            staged = atomic_commit.stage_path(target)
            staged.mkdir(parents=True)
            for i in range(20):
                (staged / f"part-{i:02d}").write_text(text)
                time.sleep(seconds / 20)
            atomic_commit.commit(staged, target)
            return {"rows": 20}

        def on_success(self, results: dict) -> None:
            pass

        def on_failure(self, error_message: str) -> None:
            pass


    class SlowJobFactory(AbstractJobFactory[SlowConfig]):
        job_name = "slow"
        config_model = SlowConfig
        needs_spark = False

        def create_job(self, **kwargs: Any) -> SlowJob:
            self.parse_job_config(**kwargs)
            return SlowJob(**self.job_services())

        def output_paths(self, config: SlowConfig) -> list[str]:
            return [config.output_path]


    def main(**kwargs: Any) -> Any:
        return SlowJobFactory(**kwargs).run(**kwargs)
    '''
)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    package = tmp_path / "pkgs" / "lockjobs" / "slow"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "slow_job_factory.py").write_text(SLOW_JOB)
    yield {
        **os.environ,
        "PYTHONPATH": str(tmp_path / "pkgs"),
        "DWH_JOB_PACKAGES": "dwh.jobs,lockjobs",
        "DWH_LOCK_DIR": str(tmp_path / "locks"),
        "DWH_HOME": str(tmp_path / "home"),
        "DWH_ALERTS": "off",
    }


def start(
    env: dict[str, str], run_id: str, output: Path, seconds: float, text: str
) -> subprocess.Popen[str]:
    config = {"output_path": str(output), "seconds": seconds, "text": text}
    argv = ["--module_name", SLOW, "--slow_job", json.dumps(config), "--has_spark", "false"]
    events = output.parent / f"{run_id}.events"
    return subprocess.Popen(
        [sys.executable, str(GLUE_ENTRY), *argv, "--run_id", run_id, "--events", str(events)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_started(output: Path, run_id: str) -> None:
    """Wait for the run's job_started event: by then it holds its lock."""
    events = output.parent / f"{run_id}.events"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if events.exists() and "job_started" in events.read_text():
            return
        time.sleep(0.02)
    raise AssertionError(f"{run_id} never started")


def wait_recorded(store_path: Path, run_id: str) -> None:
    """Wait for the run's row in the run store."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with RunStore(store_path) as store:
            if store.get(run_id) is not None:
                return
        time.sleep(0.02)
    raise AssertionError(f"{run_id} never reached the run store")


def contents(output: Path) -> set[str]:
    return {p.read_text() for p in output.iterdir()}


def test_a_second_run_of_the_same_output_fails_fast_naming_the_first(
    env: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    first = start(env, "run-A", output, seconds=4, text="A")
    wait_started(output, "run-A")

    began = time.monotonic()
    second = start(env, "run-B", output, seconds=0, text="B")
    _, err = second.communicate(timeout=30)
    waited = time.monotonic() - began

    assert second.returncode == 3
    assert err.splitlines() == [
        f"dwh: error: job 'slow' is already running: run run-A (pid {first.pid} on "
        f"{os.uname().nodename}) is writing {output}; run run-B did not start"
    ]
    assert waited < 3, "it fails fast, without waiting for the first run"
    assert first.wait(timeout=30) == 0
    assert contents(output) == {"A"} and len(list(output.iterdir())) == 20
    store = RunStore(Path(env["DWH_HOME"]) / "runs.db")
    assert store.get("run-A").status == "succeeded"  # type: ignore[union-attr]
    assert store.get("run-B") is None, "the refused run never started"

    third = start(env, "run-C", output, seconds=0, text="C")
    assert third.wait(timeout=30) == 0, "the lock went with the first run"
    assert contents(output) == {"C"}


def test_a_killed_runs_lock_does_not_block_the_next_run(
    env: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    done = start(env, "run-0", output, seconds=0, text="0")
    assert done.wait(timeout=30) == 0
    killed = start(env, "run-K", output, seconds=60, text="K")
    wait_started(output, "run-K")
    # Each event reaches the events stream before the store: wait for the store's row.
    wait_recorded(Path(env["DWH_HOME"]) / "runs.db", "run-K")
    time.sleep(0.5)  # mid-write: some staged files exist
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(timeout=30) == -signal.SIGKILL

    assert contents(output) == {"0"}, "the earlier output is intact"
    rerun = start(env, "run-R", output, seconds=0, text="R")
    assert rerun.wait(timeout=30) == 0
    assert contents(output) == {"R"}
    hidden = [p.name for p in output.parent.iterdir() if p.name.startswith(".out")]
    assert [name for name in hidden if ".dwh-previous-" not in name] == [], "no staging left"
    store = RunStore(Path(env["DWH_HOME"]) / "runs.db")
    killed_run = store.get("run-K")
    assert killed_run is not None and killed_run.status == "lost"
    assert f"pid {killed.pid}" in (killed_run.error or "")


def test_runs_of_different_outputs_run_side_by_side(env: dict[str, str], tmp_path: Path) -> None:
    procs = [start(env, f"run-{n}", tmp_path / f"out{n}", seconds=1, text=str(n)) for n in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    assert [contents(tmp_path / f"out{n}") for n in range(3)] == [{"0"}, {"1"}, {"2"}]


def test_the_lock_names_its_holder_and_is_free_after_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_LOCK_DIR", str(tmp_path / "locks"))
    with output_locks([str(tmp_path / "a"), "s3://bucket/not-locked"], job="j", run_id="r1"):
        with pytest.raises(JobAlreadyRunningError, match=r"run r1 \(pid \d+ on .+\) is writing"):
            OutputLock(tmp_path / "a", job="j", run_id="r2").acquire()
        with output_locks(["s3://bucket/not-locked", str(tmp_path / "b")], job="j", run_id="r3"):
            pass
    lock = OutputLock(tmp_path / "a", job="j", run_id="r4")
    lock.acquire()
    lock.release()
    assert JobAlreadyRunningError.exit_code == 3


def test_the_image_jobs_lock_what_they_write() -> None:
    transform = TransformImagesJobFactory(has_spark=True)
    config = transform.parse_job_config(job_config={"raw_path": "r", "output_path": "/d/out"})
    assert transform.output_paths(config) == ["/d/out", "/d/out_rejects"]

    factory = FilterImagesJobFactory(has_spark=True)
    factory.clock = lambda: dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
    config = factory.parse_job_config(
        job_config={
            "base_path": "/d/f",
            "timezone": "America/Los_Angeles",
            "transform_output_path": "t",
        }
    )
    assert factory.output_paths(config) == ["/d/f/year=2026/month=11/day=24"]


def test_twenty_writer_processes_lose_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    writers, count = 20, 25
    procs = [
        subprocess.Popen([sys.executable, "-c", STORE_WRITER, str(path), f"w{n}", str(count)])
        for n in range(writers)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0] * writers

    store = RunStore(path)
    runs = store.runs(limit=10_000)
    assert len(runs) == writers * count
    assert {r.run_id for r in runs} == {f"w{n}-{i}" for n in range(writers) for i in range(count)}
    assert {r.status for r in runs} == {"succeeded"}
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3 * writers * count

"""The run store: rows from events, queries, lineage, concurrency and never failing a job."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import STORE_WRITER, entry_argv, job_env, run_entry

from dwh.errors import UsageError
from dwh.events import Event
from dwh.jobs.noop.noop_job_factory import main as noop_main
from dwh.runs._db import STORE_VERSION
from dwh.runs.store import RunStore, RunStoreError, store_path_from_env
from dwh.testing import RecordingEventPublisher


def ev(
    name: str, run_id: str = "r1", at: str = "2026-11-25T10:00:00.000Z", **payload: object
) -> Event:
    return Event(name, "noop", run_id, dict(payload), at=at)


def test_a_run_goes_from_running_to_succeeded(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.record(ev("job_started", config={"message": "hi"}, config_hash="abc"), module="m.f")

    running = store.get("r1")
    assert running is not None
    assert (running.status, running.module, running.config) == ("running", "m.f", {"message": "hi"})
    assert running.duration_seconds is None

    store.record(ev("phase_finished", at="2026-11-25T10:00:01.000Z", phase="extract", rows=3))
    store.record(
        ev("job_succeeded", at="2026-11-25T10:00:02.500Z", metrics={"rows": 3}, outputs={"o": "p"})
    )

    done = store.get("r1")
    assert done is not None
    assert done.status == "succeeded"
    assert done.config_hash == "abc"
    assert (done.metrics, done.outputs, done.error) == ({"rows": 3}, {"o": "p"}, None)
    assert done.started_at == "2026-11-25T10:00:00.000Z"
    assert done.duration_seconds == 2.5
    assert [e.event for e in store.events("r1")] == [
        "job_started",
        "phase_finished",
        "job_succeeded",
    ]
    assert store.events("r1")[1].payload == {"phase": "extract", "rows": 3}


def test_failed_and_cancelled_runs(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    for run_id, cancelled in (("bad", False), ("stopped", True)):
        store.record(ev("job_started", run_id))
        store.record(
            ev(
                "job_failed",
                run_id,
                error_type="RuntimeError",
                error_message="RuntimeError: boom",
                cancelled=cancelled,
            )
        )

    bad, stopped = store.get("bad"), store.get("stopped")
    assert bad is not None and stopped is not None
    assert (bad.status, bad.error) == ("failed", "RuntimeError: boom")
    assert stopped.status == "cancelled"


def test_runs_are_newest_first_and_filter_by_job_and_status(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    for i in range(5):
        at = f"2026-11-25T10:00:0{i}.000Z"
        store.record(Event("job_started", "a" if i % 2 else "b", f"r{i}", {}, at=at))
    store.record(Event("job_succeeded", "b", "r4", {"metrics": {}}, at="2026-11-25T10:00:09.000Z"))

    assert [r.run_id for r in store.runs()] == ["r4", "r3", "r2", "r1", "r0"]
    assert [r.run_id for r in store.runs(job="a")] == ["r3", "r1"]
    assert [r.run_id for r in store.runs(status="succeeded")] == ["r4"]
    assert [r.run_id for r in store.runs(limit=2)] == ["r4", "r3"]
    assert store.count() == 5
    with pytest.raises(UsageError, match="unknown run status 'done'"):
        store.runs(status="done")


def test_children_and_lineage_follow_triggered_by(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.record(Event("job_started", "up", "p", {}, at="2026-11-25T10:00:00.000Z"))
    for i, child in enumerate(("c1", "c2")):
        store.record(
            Event(
                "job_started",
                "down",
                child,
                {},
                at=f"2026-11-25T10:00:0{i + 1}.000Z",
                triggered_by_job="up",
                triggered_by_run_id="p",
            )
        )
    store.record(
        Event("job_started", "third", "g", {}, triggered_by_job="down", triggered_by_run_id="c2")
    )

    assert [r.run_id for r in store.children("p")] == ["c1", "c2"]
    assert [r.run_id for r in store.children("c2")] == ["g"]
    assert store.children("g") == []
    assert [r.run_id for r in store.lineage("g")] == ["p", "c2", "g"]
    child = store.get("c1")
    assert child is not None
    assert (child.triggered_by_job, child.triggered_by_run_id) == ("up", "p")


def test_set_status_marks_a_run_and_refuses_nonsense(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.record(ev("job_started"))

    store.set_status("r1", "failed", error="process died")

    record = store.get("r1")
    assert record is not None
    assert (record.status, record.error) == ("failed", "process died")
    assert record.ended_at is not None
    with pytest.raises(UsageError, match="no run 'nope'"):
        store.set_status("nope", "failed")
    with pytest.raises(UsageError, match="unknown run status"):
        store.set_status("r1", "exploded")


def test_a_final_status_is_not_undone_by_a_late_event(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.record(ev("job_started"))
    store.record(ev("job_succeeded", metrics={}))
    store.record(ev("phase_finished", phase="load"))

    record = store.get("r1")
    assert record is not None and record.status == "succeeded"


def test_store_uses_wal_and_a_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    RunStore(path).close()

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION


RECORD_AND_DIE = """
import os, sys
from dwh.events import Event
from dwh.runs.store import RunStore
store = RunStore(sys.argv[1])
store.record(Event("job_started", "noop", "r-dead", {}, at="2026-11-25T10:00:00.000Z"))
os._exit(0)  # no final event, as after a SIGKILL
"""


def test_a_run_whose_process_died_without_a_final_event_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    writer = subprocess.run([sys.executable, "-c", RECORD_AND_DIE, str(path)], check=True)
    assert writer.returncode == 0

    with RunStore(path) as store:
        store.record(ev("job_started", run_id="r-alive"))  # this process: alive
        lost = store.get("r-dead")
        alive = store.get("r-alive")
        assert [r.run_id for r in store.runs(status="lost")] == ["r-dead"]

    assert lost is not None and alive is not None
    assert (lost.status, alive.status) == ("lost", "running")
    assert lost.ended_at is not None and alive.ended_at is None
    assert "ended without a final event" in (lost.error or "")
    assert lost.ended_unreported and alive.ended_unreported


def test_runs_of_another_host_stay_running(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with RunStore(path) as store:
        store.record(ev("job_started", run_id="r-remote"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE runs SET host = 'another-host', pid = 999999999")

    with RunStore(path) as store:
        assert store.get("r-remote").status == "running"  # type: ignore[union-attr]


def test_a_version_1_store_is_upgraded_in_place_keeping_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE runs (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, module TEXT, "
            "status TEXT NOT NULL, config TEXT NOT NULL DEFAULT '{}', config_hash TEXT, "
            "started_at TEXT, ended_at TEXT, metrics TEXT, outputs TEXT, error TEXT, "
            "triggered_by_job TEXT, triggered_by_run_id TEXT, updated_at TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO runs (run_id, job, status, started_at, updated_at) "
            "VALUES ('old', 'noop', 'running', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        )
        conn.execute("PRAGMA user_version = 1")

    with RunStore(path) as store:
        store.record(ev("job_started", run_id="new"))
        old = store.get("old")

    assert old is not None and old.status == "running"  # no pid: nothing to judge it by
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
        pid, host = conn.execute("SELECT pid, host FROM runs WHERE run_id = 'new'").fetchone()
    assert isinstance(pid, int) and host


def test_corrupt_or_newer_store_is_a_clear_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(RunStoreError, match=r"corrupt\.db"):
        RunStore(corrupt)

    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RunStoreError, match="schema version 99"):
        RunStore(newer)

    with pytest.raises(RunStoreError, match="no run store"):
        RunStore(tmp_path / "missing.db", create=False)
    assert RunStoreError.exit_code == 1


def test_store_location_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    assert store_path_from_env() == tmp_path / "home" / "runs.db"

    monkeypatch.setenv("DWH_RUN_STORE", str(tmp_path / "elsewhere.db"))
    assert store_path_from_env() == tmp_path / "elsewhere.db"

    monkeypatch.setenv("DWH_RUN_STORE", "off")
    assert RunStore.from_env() is None
    assert store_path_from_env({"DWH_HOME": "/x"}) == Path("/x/runs.db")


def test_every_in_process_run_is_recorded_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DWH_ALERTS", "off")

    noop_main(noop_job='{"message": "recorded"}', run_id="in-process")

    store = RunStore(tmp_path / "home" / "runs.db")
    record = store.get("in-process")
    assert record is not None
    assert (record.status, record.module) == ("succeeded", "dwh.jobs.noop.noop_job_factory")
    assert record.metrics == {"message": "recorded", "phases": 3}


def test_run_store_argument_turns_it_off_or_moves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DWH_ALERTS", "off")

    noop_main(noop_job="{}", run_store="off")
    noop_main(noop_job="{}", run_store=str(tmp_path / "mine.db"), run_id="moved")

    assert not (tmp_path / "home" / "runs.db").exists()
    assert RunStore(tmp_path / "mine.db").get("moved") is not None


def test_an_unusable_store_warns_once_and_the_job_succeeds(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"garbage" * 1000)
    env = job_env(tmp_path, DWH_RUN_STORE=str(broken))

    result = run_entry("noop", '{"message": "still fine"}', env=env)

    assert result.returncode == 0
    warnings = [line for line in result.stderr.splitlines() if "run store" in line]
    assert len(warnings) == 1
    assert "is unavailable" in warnings[0] and "broken.db" in warnings[0]
    assert "succeeded" in result.stderr.splitlines()[-1]


def test_an_unusable_store_never_changes_the_job_outcome_in_process(tmp_path: Path) -> None:
    recorder = RecordingEventPublisher()
    (tmp_path / "dir.db").mkdir()

    results = noop_main(noop_job="{}", run_store=str(tmp_path / "dir.db"), event_publisher=recorder)

    assert results == {"message": "hello", "phases": 3}
    assert recorder.names[-1] == "job_succeeded"


def test_two_writer_processes_and_a_reader_lose_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    count = 150
    writers = [
        subprocess.Popen([sys.executable, "-c", STORE_WRITER, str(path), prefix, str(count)])
        for prefix in ("a", "b")
    ]
    reader = RunStore(path)
    seen_while_writing = []
    while any(w.poll() is None for w in writers):
        seen_while_writing.append(len(reader.runs(limit=1000)))
        time.sleep(0.01)
    codes = [w.wait(timeout=120) for w in writers]

    assert codes == [0, 0]
    runs = reader.runs(limit=1000)
    assert len(runs) == 2 * count
    assert {r.status for r in runs} == {"succeeded"}
    assert all(len(reader.events(r.run_id)) == 3 for r in runs[:20])
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3 * 2 * count
    assert seen_while_writing == sorted(seen_while_writing)


def test_two_concurrent_job_processes_are_both_recorded(tmp_path: Path) -> None:
    env = job_env(tmp_path)
    argv_a = ["--run_id", "job-a"]
    argv_b = ["--run_id", "job-b"]
    procs = [
        subprocess.Popen(entry_argv("noop", '{"sleep_seconds": 0.3}', *argv), env=env)
        for argv in (argv_a, argv_b)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]

    store = RunStore(Path(env["DWH_HOME"]) / "runs.db")
    for run_id in ("job-a", "job-b"):
        record = store.get(run_id)
        assert record is not None and record.status == "succeeded"
        assert len(store.events(run_id)) == 5
    record_a = store.get("job-a")
    assert record_a is not None
    assert record_a.config["sleep_seconds"] == 0.3


def _open_at_the_barrier(path: Path, barrier: Any, outcomes: Any) -> None:
    barrier.wait()
    try:
        RunStore(path).close()
        outcomes.put("opened")
    except RunStoreError as exc:
        outcomes.put(str(exc))


def test_processes_opening_a_new_store_at_the_same_instant_all_get_it(tmp_path: Path) -> None:
    # Switching a new file to WAL is the one step where SQLite fails a racing
    # connection at once instead of waiting: before the fix about 4 in 10 pairs
    # lost one opener with "database is locked".
    fork = multiprocessing.get_context("fork")
    for trial in range(25):
        path = tmp_path / f"trial-{trial}" / "runs.db"
        barrier, outcomes = fork.Barrier(4), fork.Queue()
        openers = [
            fork.Process(target=_open_at_the_barrier, args=(path, barrier, outcomes))
            for _ in range(4)
        ]
        for opener in openers:
            opener.start()
        results = [outcomes.get(timeout=60) for _ in openers]
        for opener in openers:
            opener.join(timeout=60)
        assert results == ["opened"] * 4, f"trial {trial}: {results}"
        with RunStore(path) as store:
            assert store.count() == 0


def _write_after_fork(store: RunStore, fresh: Path, outcomes: Any) -> None:
    results = []
    for attempt in (
        lambda: store.record(ev("job_started", run_id="child")),
        lambda: RunStore(store.path).record(ev("job_started", run_id="child")),
        lambda: RunStore(fresh).record(ev("job_started", run_id="child")),
    ):
        try:
            attempt()
            results.append("written")
        except RunStoreError as exc:
            results.append(str(exc))
    outcomes.put(results)


def test_a_forked_child_cannot_write_the_store_its_parent_has_open(tmp_path: Path) -> None:
    # A forked child shares its parent's SQLite lock bookkeeping, so its writes take no
    # real lock: with the parent writing too, the file came out "malformed" in half of
    # 150 forks before the guard.
    fork = multiprocessing.get_context("fork")
    store = RunStore(tmp_path / "runs.db")
    store.record(ev("job_started", run_id="parent"))
    outcomes = fork.Queue()
    child = fork.Process(target=_write_after_fork, args=(store, tmp_path / "own.db", outcomes))
    child.start()
    inherited, reopened, own = outcomes.get(timeout=60)
    child.join(timeout=60)

    message = "was open when this process was forked; SQLite cannot be shared across fork()"
    assert message in inherited and message in reopened
    assert str(tmp_path / "runs.db") in inherited
    assert own == "written", "a store the parent did not have open is fine"
    store.record(ev("job_succeeded", run_id="parent"))
    assert [r.run_id for r in store.runs()] == ["parent"]
    store.close()
    with sqlite3.connect(tmp_path / "runs.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_settle_unreported_records_what_was_streamed_and_keeps_a_reported_end(
    tmp_path: Path,
) -> None:
    store = RunStore(tmp_path / "runs.db")
    streamed = [ev("job_started", run_id="r-gap"), ev("phase_finished", run_id="r-gap")]
    store.settle_unreported("r-gap", "failed", error="died (SIGKILL)", streamed=streamed)
    store.record(ev("job_started", run_id="r-done"))
    store.record(ev("job_succeeded", run_id="r-done"))
    store.settle_unreported("r-done", "failed", error="exit -9", streamed=[])
    store.settle_unreported("r-never", "failed", error="exit 2", streamed=[])

    gap = store.get("r-gap")
    assert gap is not None and (gap.status, gap.error) == ("failed", "died (SIGKILL)")
    assert [e.event for e in store.events("r-gap")] == ["job_started", "phase_finished"]
    assert store.get("r-done").status == "succeeded"  # type: ignore[union-attr]
    assert store.get("r-never") is None, "a run that never started is not invented"


def test_the_store_keeps_one_spark_progress_per_finished_stage(tmp_path: Path) -> None:
    from dwh.events import Event

    def progress(stage: int, done: int, total: int) -> Event:
        return Event(
            "spark_progress",
            "noop",
            "r1",
            {
                "stage_id": stage,
                "tasks_done": done,
                "tasks_running": total - done,
                "tasks_total": total,
                "tasks_failed": 0,
            },
        )

    with RunStore(tmp_path / "runs.db") as store:
        store.record(Event("job_started", "noop", "r1", {"config": {}, "config_hash": "x"}))
        for event in (progress(0, 1, 4), progress(0, 4, 4), progress(0, 4, 4), progress(1, 2, 2)):
            store.record(event)
        store.record(progress(2, 1, 3))  # a stage still running: a tick, not kept
        kept = [e.payload for e in store.events("r1") if e.event == "spark_progress"]
    assert [(p["stage_id"], p["tasks_done"]) for p in kept] == [(0, 4), (1, 2)]

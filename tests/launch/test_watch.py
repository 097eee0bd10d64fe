"""RunWatch: what a run streamed, its judgement, and the run store settled once."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from dwh.events import Event, EventName, RunStatus
from dwh.launch import LogLine, RunRequest, RunWatch, StreamProblem
from dwh.runs.store import RunStore

NOOP = "dwh.jobs.noop.noop_job_factory"


def _event(name: str, **payload: object) -> Event:
    return Event(name, job="noop", run_id="r-1", payload=payload)


def _progress(stage: int, done: int) -> Event:
    return _event(
        EventName.SPARK_PROGRESS,
        stage_id=stage,
        tasks_done=done,
        tasks_running=1,
        tasks_total=4,
        tasks_failed=0,
    )


def test_progress_is_kept_per_stage_not_in_the_events() -> None:
    watch = RunWatch(RunRequest("noop", NOOP, {}, False, "r-1"))
    for item in (
        _event(EventName.JOB_STARTED, config={}),
        _progress(1, 1),
        _progress(1, 4),
        _progress(2, 2),
        _event(EventName.JOB_SUCCEEDED, metrics={"n": 1}, outputs={"o": "out/o"}),
    ):
        watch.add(item)

    run = watch.job_run(0, watch.conclude(0))

    assert [e.event for e in run.events] == ["job_started", "job_succeeded"]
    assert {stage: e.payload["tasks_done"] for stage, e in watch.progress.items()} == {1: 4, 2: 2}
    assert (run.status, run.metrics, run.outputs) == (RunStatus.SUCCEEDED, {"n": 1}, {"o": "out/o"})


def test_the_last_dwh_line_is_the_reason_but_not_alerts_or_warnings() -> None:
    watch = RunWatch(RunRequest("noop", NOOP, {}, False, "r-1"))
    for text in (
        "dwh: error: invalid config for job 'noop'",
        "dwh: warning: slow disk",
        "dwh: alert: sent",
        "INFO SparkContext: stopping",
    ):
        watch.add(LogLine(text))
    watch.add(StreamProblem("{", "not an event"))

    result = watch.conclude(2)

    assert result.status == RunStatus.REJECTED
    assert result.error == "error: invalid config for job 'noop'"


def test_the_config_is_redacted_in_the_result() -> None:
    request = RunRequest("noop", NOOP, {"password": "s3cret-value", "a": 1}, False, "r-1")
    watch = RunWatch(request)

    run = watch.job_run(1, watch.conclude(1))

    assert "s3cret-value" not in str(run.config)
    assert run.config["a"] == 1


def test_a_run_killed_after_it_started_is_settled_in_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "runs.db"
    monkeypatch.setenv("DWH_RUN_STORE", str(store_path))
    watch = RunWatch(RunRequest("noop", NOOP, {}, False, "r-1"))
    watch.add(_event(EventName.JOB_STARTED, config={}, config_hash="h"))
    watch.add(_event(EventName.PHASE_FINISHED, phase="extract", rows=1, seconds=0.1))

    result = watch.conclude(-signal.SIGKILL)

    assert (result.status, result.reported) == (RunStatus.FAILED, False)
    with RunStore(store_path, create=False) as store:
        record = store.get("r-1")
        assert record is not None
        assert (record.status, record.module) == ("failed", NOOP)
        assert "died (SIGKILL)" in (record.error or "")
        assert [e.event for e in store.events("r-1")] == ["job_started", "phase_finished"]


def test_a_run_that_never_started_leaves_the_store_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "runs.db"
    monkeypatch.setenv("DWH_RUN_STORE", str(store_path))
    watch = RunWatch(RunRequest("noop", NOOP, {}, False, "r-1"))

    assert watch.conclude(2).status == RunStatus.REJECTED
    assert not store_path.exists()


def test_the_store_the_childs_environment_names_is_the_one_settled(tmp_path: Path) -> None:
    store_path = tmp_path / "child-runs.db"
    request = RunRequest("noop", NOOP, {}, False, "r-1", env={"DWH_RUN_STORE": str(store_path)})
    watch = RunWatch(request)
    watch.add(_event(EventName.JOB_STARTED, config={}, config_hash="h"))

    assert watch.conclude(1).status == RunStatus.FAILED
    assert watch.settle_problem is None
    with RunStore(store_path, create=False) as store:
        record = store.get("r-1")
        assert record is not None and record.status == "failed"

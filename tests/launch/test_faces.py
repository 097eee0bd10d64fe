"""Both faces start the real generic entry and agree on how a run ended."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dwh.events import Event, EventName, RunStatus
from dwh.launch import (
    LogLine,
    RunItem,
    RunRequest,
    RunWatch,
    SubprocessLauncher,
    launch,
)
from dwh.testing import RecordingEventPublisher

PROGRESS = "launchjobs.progress.progress_job_factory"
NOOP = "dwh.jobs.noop.noop_job_factory"


async def _collect(request: RunRequest, launcher: SubprocessLauncher) -> tuple[list[RunItem], int]:
    handle = await launcher.launch(request)
    items = [item async for item in handle.items()]
    assert handle.returncode is not None
    return items, handle.returncode


@pytest.mark.usefixtures("launch_jobs")
def test_the_sync_face_forwards_spark_progress_and_judges_the_run() -> None:
    recorder = RecordingEventPublisher()

    run = launch("progress", {"tasks": 3}, run_id="sync-1", events=recorder, stderr=io.StringIO())

    progress = [e for e in recorder.events if e.event == EventName.SPARK_PROGRESS]
    assert [e.payload["tasks_done"] for e in progress] == [0, 1, 2, 3]
    assert {e.payload["stage_id"] for e in progress} == {7}
    assert (run.status, run.exit_code, run.metrics) == (RunStatus.SUCCEEDED, 0, {"tasks": 3})
    assert EventName.SPARK_PROGRESS not in [e.event for e in run.events]
    assert run.message == "on_success ran · exit 0"


@pytest.mark.usefixtures("launch_jobs")
async def test_the_async_face_streams_spark_progress_like_any_event() -> None:
    request = RunRequest("progress", PROGRESS, {"tasks": 2}, False, "async-1")

    items, code = await _collect(request, SubprocessLauncher())
    watch = RunWatch(request)
    for item in items:
        watch.add(item)

    events = [item.event for item in items if isinstance(item, Event)]
    assert events == [
        "job_started",
        "spark_progress",
        "spark_progress",
        "spark_progress",
        "phase_finished",
        "job_succeeded",
    ]
    assert watch.conclude(code).status == RunStatus.SUCCEEDED
    assert watch.progress[7].payload["tasks_done"] == 2


async def test_the_async_face_keeps_the_log_apart_and_runs_without_the_scripts_folder(
    tmp_path: Path,
) -> None:
    request = RunRequest("noop", NOOP, {}, False, "async-2")

    items, code = await _collect(request, SubprocessLauncher(entry=tmp_path / "missing.py"))

    assert code == 0
    assert [i.event for i in items if isinstance(i, Event)][-1] == "job_succeeded"
    logs = [item.text for item in items if isinstance(item, LogLine)]
    assert logs and not any(line.startswith("{") for line in logs)


def test_both_faces_reject_a_bad_config_the_same_way() -> None:
    sync = launch("noop", {"sleep_seconds": -1}, run_id="bad-1", stderr=io.StringIO())

    assert (sync.status, sync.exit_code) == (RunStatus.REJECTED, 2)
    assert "sleep_seconds" in (sync.error or "")
    assert sync.message.endswith("exit 2")

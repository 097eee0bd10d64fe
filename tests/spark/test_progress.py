"""``spark_progress`` from a classic session's status tracker, and the bars drawn from it."""

from __future__ import annotations

import io
import time
from typing import TYPE_CHECKING, Any

import pytest
from rich.console import Console

from dwh.cli._progress_bar import progress_bars
from dwh.spark.progress import progress_fields, progress_listener, track_progress

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.mark.spark
def test_a_classic_session_reports_each_running_stage_until_it_is_done(
    spark: SparkSession,
) -> None:
    def sleepy(frames: Any) -> Any:  # nested: pickled by value for the workers
        import time

        for frame in frames:
            time.sleep(0.8)
            yield frame

    payloads: list[tuple[float, dict[str, int]]] = []
    heard: list[dict[str, int]] = []

    with progress_listener(heard.append):
        with track_progress(spark, lambda fields: payloads.append((time.monotonic(), fields))):
            spark.range(0, 4, 1, 4).mapInPandas(sleepy, "id long").collect()

    assert payloads, "no progress from the status tracker"
    assert heard == [fields for _, fields in payloads]
    stages: dict[int, list[tuple[float, dict[str, int]]]] = {}
    for at, fields in payloads:
        assert set(fields) == {
            "stage_id", "tasks_done", "tasks_running", "tasks_total", "tasks_failed"
        }  # fmt: skip
        assert 0 <= fields["tasks_done"] <= fields["tasks_total"]
        assert fields["tasks_done"] + fields["tasks_running"] <= fields["tasks_total"]
        stages.setdefault(fields["stage_id"], []).append((at, fields))
    for events in stages.values():
        assert events[-1][1]["tasks_done"] == events[-1][1]["tasks_total"] == 4
        # The rate (>= 2 a second) is measured in benchmarks/warm_loop.py, not timed here.
        assert len(events) >= 2, events


def test_fields_are_clamped_to_the_stage() -> None:
    assert progress_fields(3, 5, 4, 4, -1) == {
        "stage_id": 3, "tasks_done": 4, "tasks_running": 0, "tasks_total": 4, "tasks_failed": 0
    }  # fmt: skip


def test_the_run_command_draws_one_bar_per_stage() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)

    with progress_bars(console) as bars:
        assert bars is not None
        bars.update(progress_fields(0, 1, 1, 2))
        bars.update(progress_fields(1, 0, 2, 4))
        bars.update(progress_fields(0, 2, 0, 2))
        tasks = {task.fields["stage_id"]: task for task in bars.progress.tasks}

    assert (tasks[0].completed, tasks[0].total) == (2, 2)
    assert (tasks[1].completed, tasks[1].total, tasks[1].fields["running"]) == (0, 4, 2)
    assert "stage 1" in out.getvalue()

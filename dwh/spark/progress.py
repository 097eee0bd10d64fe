"""Live Spark progress: ``spark_progress`` events while a session's stages run.

Two sources, one event (fields in :mod:`dwh.events`):

- a Spark Connect session (a warm run) reports progress to the client itself, every
  200 ms with dwh's server settings; :func:`track_progress` registers a handler with
  ``SparkSession.registerProgressHandler``;
- a classic session (``spark-submit``, local mode, a notebook) has a status tracker,
  which a daemon thread polls every 250 ms.

Each active stage gets an event per report, and a finished stage one last event with
all its tasks done, so watchers can draw a bar that ends full. Nothing here may fail a
job: a broken source stops reporting quietly.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

Emit = Callable[[dict[str, int]], None]
"""Receives one event's payload: stage_id, tasks_done, tasks_running, tasks_total, tasks_failed."""

POLL_INTERVAL_S = 0.25
"""How often a classic session's status tracker is read."""


def progress_fields(
    stage_id: int, done: int, running: int, total: int, failed: int = 0
) -> dict[str, int]:
    """Return one ``spark_progress`` payload, clamped so that done + running <= total."""
    done = max(0, min(done, total))
    running = max(0, min(running, total - done))
    return {
        "stage_id": stage_id,
        "tasks_done": done,
        "tasks_running": running,
        "tasks_total": total,
        "tasks_failed": max(0, failed),
    }


_listeners: list[Emit] = []


@contextlib.contextmanager
def progress_listener(callback: Emit) -> Iterator[None]:
    """Also send this process's progress payloads to ``callback`` while the block runs.

    ``dwh run`` uses it to draw a progress bar from the same payloads the events carry.
    """
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def _fan_out(emit: Emit) -> Emit:
    def both(fields: dict[str, int]) -> None:
        emit(fields)
        for listener in list(_listeners):
            try:
                listener(fields)
            except Exception as exc:  # a display must never fail the job
                log.debug("progress listener failed: %s", exc)

    return both


@contextlib.contextmanager
def track_progress(spark: SparkSession, emit: Emit) -> Iterator[Callable[[], None]]:
    """Publish progress through ``emit`` while the block runs.

    Yields a ``stop`` function: call it to stop early and report the stages that ended
    since the last report (the job calls it before its final event, so the last
    ``spark_progress`` of a stage comes before ``job_succeeded``). Stopping twice is fine.

    Args:
        spark: A classic or a Spark Connect session.
        emit: Called with each event's payload, possibly from another thread.
    """
    emit = _fan_out(emit)
    if type(spark).__module__.startswith("pyspark.sql.connect"):
        tracker: _ConnectTracker | _ClassicTracker = _ConnectTracker(spark, emit)
    else:
        tracker = _ClassicTracker(spark, emit)
    tracker.start()
    try:
        yield tracker.stop
    finally:
        tracker.stop()


class _ConnectTracker:
    """Forwards Spark Connect's progress reports, once more for each stage that finishes."""

    def __init__(self, spark: Any, emit: Emit) -> None:
        self._spark = spark
        self._emit = emit
        self._finished: set[int] = set()
        self._broken = False

    def start(self) -> None:
        try:
            self._spark.registerProgressHandler(self)
        except Exception as exc:
            log.debug("no Spark Connect progress: %s", exc)
            self._broken = True

    def stop(self) -> None:
        if not self._broken:
            self._broken = True  # stopped: a second stop does nothing
            with contextlib.suppress(Exception):
                self._spark.removeProgressHandler(self)

    def __call__(
        self,
        stages: Iterable[Any] | None,
        inflight_tasks: int,
        operation_id: str | None,
        done: bool,
    ) -> None:
        try:
            # The last report often predates the last task's end. ``done`` comes from the
            # client's ``finally``: with no exception in flight the operation succeeded,
            # so its stages are complete.
            succeeded = done and sys.exc_info()[0] is None
            self._report(list(stages or ()), inflight_tasks, succeeded)
        except Exception as exc:  # a watcher's failure must never fail the job
            log.debug("Spark Connect progress dropped: %s", exc)

    def _report(self, stages: list[Any], inflight: int, succeeded: bool) -> None:
        # Connect reports running tasks for the whole operation: share them out among
        # the stages still running, in order.
        left = max(0, inflight)
        for stage in sorted(stages, key=lambda s: int(s.stage_id)):
            stage_id, total = int(stage.stage_id), int(stage.num_tasks)
            if stage_id in self._finished:
                continue
            if stage.done or succeeded:
                self._finished.add(stage_id)
                self._emit(progress_fields(stage_id, total, 0, total))
                continue
            completed = int(stage.num_completed_tasks)
            running = min(left, max(0, total - completed))
            left -= running
            self._emit(progress_fields(stage_id, completed, running, total))


class _ClassicTracker:
    """Polls a classic session's status tracker from a daemon thread."""

    def __init__(self, spark: Any, emit: Emit, interval: float = POLL_INTERVAL_S) -> None:
        self._spark = spark
        self._emit = emit
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dwh-spark-progress", daemon=True)
        self._active: set[int] = set()
        self._totals: dict[int, int] = {}
        self._tracker: Any = None

    def start(self) -> None:
        try:
            self._tracker = self._spark.sparkContext.statusTracker()
        except Exception as exc:
            log.debug("no Spark status tracker: %s", exc)
            return
        self._thread.start()

    def stop(self) -> None:
        if self._tracker is None or self._stopping.is_set():
            return
        self._stopping.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(Exception):
            self._poll()  # the stages that finished since the last poll

    def _loop(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._poll()
            except Exception as exc:  # the session went away: stop quietly
                log.debug("Spark progress polling stopped: %s", exc)
                return

    def _poll(self) -> None:
        active = set(self._tracker.getActiveStageIds())
        for stage_id in sorted(active | self._active):
            info = self._tracker.getStageInfo(stage_id)
            if info is None:
                if stage_id not in active and stage_id in self._totals:
                    # Ended and already forgotten by the tracker: it ended whole.
                    total = self._totals[stage_id]
                    self._emit(progress_fields(stage_id, total, 0, total))
                continue
            total = int(info.numTasks)
            self._totals[stage_id] = total
            if stage_id in active:
                self._emit(
                    progress_fields(
                        stage_id,
                        int(info.numCompletedTasks),
                        int(info.numActiveTasks),
                        total,
                        int(info.numFailedTasks),
                    )
                )
            else:
                # Ended since the last poll. The tracker's task counts can lag the stage's
                # end (seen on an idle machine: a 1-task stage ended with 0 completed), so
                # a stage that ended without failed tasks is reported whole.
                failed = int(info.numFailedTasks)
                done = total if failed == 0 else int(info.numCompletedTasks)
                self._emit(progress_fields(stage_id, done, 0, total, failed))
        self._active = active

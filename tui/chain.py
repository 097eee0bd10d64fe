"""Run a job, then the jobs the trigger map chains after it, for the run console.

The chain is dwh's own: :func:`dwh.triggers.run_with_triggers` (``dwh run --follow``)
runs each job as a child process through the generic entry and follows the map. It is
a blocking call, so the console runs it in a thread and gets each run's events and
stderr lines through a :class:`ChainFeed`; :class:`ChainStop` cancels the run in
progress (SIGTERM to its child, so on_failure runs), which stops the chain.
"""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from dwh.errors import one_line
from dwh.events import RunStatus
from dwh.launch import LogLine, Outcome
from dwh.triggers import load_trigger_map, run_with_triggers

if TYPE_CHECKING:
    from dwh.events import Event
    from dwh.launch import JobRun, RunItem, RunRequest

__all__ = ["ChainFeed", "ChainStop", "chain_outcome", "chain_plan", "downstream_of", "run_chain"]


class ChainFeed(io.StringIO):
    """The chain's event publisher and its stderr: each item goes to ``deliver``.

    Args:
        deliver: Called, in the chain's thread, with each event and each whole line
            of stderr (a :class:`~dwh.launch.LogLine`).
    """

    def __init__(self, deliver: Callable[[RunItem], None]) -> None:
        super().__init__()
        self._deliver = deliver
        self._partial = ""

    def publish(self, event: Event) -> None:
        """An event of one of the chain's runs."""
        self._deliver(event)

    def write(self, text: str) -> int:
        """Lines the runs (and the trigger runner) write to stderr."""
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._deliver(LogLine(line))
        return len(text)


class ChainStop:
    """Cancels the chain's run in progress: SIGTERM to its child process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self.requested = False

    def started(self, pid: int) -> None:
        """A run of the chain started (``on_start``); a cancel already asked stops it."""
        with self._lock:
            self._pid = pid
            if self.requested:
                self._terminate()

    def cancel(self) -> None:
        """Stop the run in progress (on_failure runs); no more runs start."""
        with self._lock:
            self.requested = True
            self._terminate()

    def _terminate(self) -> None:
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGTERM)
            except ProcessLookupError:
                pass  # it ended meanwhile


def downstream_of(job: str) -> tuple[list[str], str]:
    """The jobs the trigger map can start after ``job``, in run order, and the map's source.

    Raises:
        TriggerMapError: The map is missing or invalid.
    """
    triggers = load_trigger_map()
    return triggers.reachable(job), triggers.source


def chain_plan(job: str) -> tuple[str, str]:
    """``(problem, plan)``: why ``job``'s chain can't run, or what runs after it."""
    try:
        downstream, source = downstream_of(job)
    except Exception as exc:  # a missing or invalid map: a message, never a crash
        return one_line(exc), ""
    if not downstream:
        return (
            f"the trigger map ({source}) starts no job after {job}: "
            "ctrl+j runs it alone (docs/events.md, triggers)"
        ), ""
    return "", f"then, from {source}: {', '.join(downstream)}"


def run_chain(request: RunRequest, feed: ChainFeed, stop: ChainStop) -> list[JobRun]:
    """Run ``request``'s job, then what the trigger map chains after it (blocking).

    Raises:
        UsageError: The trigger map is invalid or names an unknown job or field
            (checked before anything runs).
    """
    return run_with_triggers(
        request.job,
        request.config,
        follow=True,
        events=feed,
        stderr=feed,
        has_spark=request.has_spark,
        run_id=request.run_id,
        spark_remote=request.spark_remote,
        on_start=stop.started,
    )


def chain_outcome(runs: list[JobRun], *, cancelled: bool = False) -> Outcome:
    """How a chain ended: succeeded when every run did; one line naming each run."""
    statuses = [run.status for run in runs]
    if cancelled or RunStatus.CANCELLED in statuses:
        status = RunStatus.CANCELLED
    elif runs and all(s == RunStatus.SUCCEEDED for s in statuses):
        status = RunStatus.SUCCEEDED
    else:
        status = RunStatus.FAILED
    parts = [f"{run.job} {run.status}" for run in runs]
    message = f"{len(runs)} run{'s' * (len(runs) != 1)}: {', '.join(parts)}"
    failed = next((run for run in runs if run.status != RunStatus.SUCCEEDED), None)
    error = None if failed is None else f"{failed.job}: {failed.error or failed.status}"
    return Outcome(status, message, error)

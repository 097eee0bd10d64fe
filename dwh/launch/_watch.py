"""Watching one run: what both faces of the launcher keep while it runs, and its end.

:class:`RunWatch` takes every item a run produces (events, log lines, bad event
lines), keeps what judging the run needs, and at the end gives the
:class:`~dwh.launch.Outcome` and the :class:`JobRun`. When the process died without
reporting its end, :meth:`RunWatch.conclude` records it in the run store: the one
place that settles an unreported run.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dwh.errors import DwhError
from dwh.events import TERMINAL_EVENTS, Event, EventName, RunStatus
from dwh.launch._outcome import Outcome, outcome
from dwh.launch._stream import LogLine
from dwh.redaction import redact_config

if TYPE_CHECKING:
    from dwh.launch._command import RunRequest
    from dwh.launch._stream import RunItem

log = logging.getLogger(__name__)


@dataclass
class JobRun:
    """One job run started by the launcher, and how it ended.

    Attributes:
        job: The job name.
        run_id: The run id (given to the job with ``--run_id``).
        status: ``succeeded``, ``failed``, ``cancelled``, or ``rejected`` (the job
            never started: invalid config, unknown job, a bad trigger mapping, or its
            output was locked by another run).
        exit_code: The process's exit code; None if no process was started.
        config: The config it was started with, secrets redacted.
        metrics: From ``job_succeeded``.
        outputs: From ``job_succeeded``: the paths the job wrote.
        error: Why it did not succeed, one line.
        message: How it ended, one line for people (with the exit code).
        triggered_by_job: The upstream job, for a triggered run.
        triggered_by_run_id: The upstream run, for a triggered run.
        events: The run's lifecycle events, in order (``spark_progress`` is not kept:
            see :attr:`RunWatch.progress`).
    """

    job: str
    run_id: str
    status: RunStatus
    exit_code: int | None
    config: dict[str, Any]
    metrics: Any = None
    outputs: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    message: str = ""
    triggered_by_job: str | None = None
    triggered_by_run_id: str | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """Whether the run succeeded."""
        return self.status == RunStatus.SUCCEEDED

    def result(self) -> dict[str, Any]:
        """What a trigger map's source paths are resolved against."""
        ended = next((e for e in self.events if e.event == EventName.JOB_SUCCEEDED), None)
        return {
            "run_id": self.run_id,
            "job": self.job,
            "at": ended.at if ended else None,
            "metrics": self.metrics if isinstance(self.metrics, dict) else {},
            "outputs": self.outputs,
            "config": self.config,
        }


class RunWatch:
    """What the launcher keeps while a run goes on; shared by the sync and async faces.

    Args:
        request: The run being watched.
    """

    def __init__(self, request: RunRequest) -> None:
        self.request = request
        self.events: list[Event] = []
        self.progress: dict[int, Event] = {}
        """The last ``spark_progress`` event of each stage, by stage id."""
        self.final: Event | None = None
        self.started = False
        self.last_error = ""
        self.settle_problem: str | None = None
        """Why the run store could not be told how an unreported run ended, if so."""

    def add(self, item: RunItem) -> None:
        """Take one item of the run, in the order it arrived."""
        if isinstance(item, LogLine):
            text = item.text
            if text.startswith("dwh: ") and not text.startswith(("dwh: alert:", "dwh: warning:")):
                self.last_error = text
            return
        if not isinstance(item, Event):
            return  # a bad event line: the caller shows it; it decides nothing
        if item.event == EventName.SPARK_PROGRESS:
            stage = item.payload.get("stage_id")
            self.progress[stage if isinstance(stage, int) else -1] = item
            return
        self.events.append(item)
        if item.event == EventName.JOB_STARTED:
            self.started = True
        elif item.event in TERMINAL_EVENTS:
            self.final = item

    def conclude(self, exit_code: int | None, *, cancelled: bool = False) -> Outcome:
        """Judge the run; record its end in the run store if the process could not."""
        result = outcome(
            self.final,
            exit_code,
            cancelled=cancelled,
            started=self.started,
            last_error=self.last_error,
        )
        if not result.reported and self.started:
            self._settle(result)
        return result

    def job_run(self, exit_code: int | None, result: Outcome) -> JobRun:
        """The run as a :class:`JobRun`."""
        config = self.request.config
        final = self.final.payload if self.final is not None else {}
        succeeded = result.status == RunStatus.SUCCEEDED
        return JobRun(
            job=self.request.job,
            run_id=self.request.run_id,
            status=result.status,
            exit_code=exit_code,
            config=redact_config(config),
            metrics=final.get("metrics") if succeeded else None,
            outputs=dict(final.get("outputs") or {}) if succeeded else {},
            error=result.error,
            message=result.message,
            triggered_by_job=config.get("triggered_by_job"),
            triggered_by_run_id=config.get("triggered_by_run_id"),
            events=list(self.events),
        )

    def _settle(self, result: Outcome) -> None:
        """The process ended after ``job_started`` without a final event: fix its row."""
        from dwh.runs.store import RunStore, store_path_from_env

        overlay = self.request.env
        path = store_path_from_env({**os.environ, **overlay} if overlay else None)
        if path is None:
            return
        try:
            with RunStore(path) as store:
                store.settle_unreported(
                    self.request.run_id,
                    result.status,
                    error=result.message,
                    streamed=self.events,
                    module=self.request.module,
                )
        except DwhError as exc:
            self.settle_problem = f"the run store was not updated: {exc}"
            log.warning(
                "dwh: warning: could not mark run %s in %s: %s", self.request.run_id, path, exc
            )

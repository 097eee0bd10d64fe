"""Running a planned backfill: one ordinary run per date, in order, stoppable at any time.

Each date is its own child process through the generic entry (:mod:`dwh.backfill._engine`),
carrying ``--backfill_id``, so it has the events, run store row, output locks and
alerts of any run. The first date that does not succeed, its output checks failed
included, stops the backfill unless ``keep_going`` is set; dates already running
finish first. A rerun of the same backfill skips the dates that succeeded and reruns
the one that failed.

Cancelling (:meth:`Backfill.cancel`, or SIGINT/SIGTERM while :meth:`Backfill.run` runs
in the main thread) starts no more dates and sends SIGTERM to the dates running now:
each ends as ``cancelled`` (its output keeps its earlier version, since every loader
commits atomically) and the result's exit code is 130.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, TYPE_CHECKING, Any

from dwh.backfill._engine import (
    Engine,
    SharedSessions,
    default_engine,
    launch_date,
    warm_session,
)
from dwh.errors import ExitCode, UsageError
from dwh.events import EventName, RunStatus
from dwh.run_context import new_run_id

if TYPE_CHECKING:
    from dwh.backfill.plan import BackfillPlan, DatePlan
    from dwh.launch import JobRun

SKIPPED = "skipped"
"""A date's status when the reprocess rule skipped it."""
NOT_RUN = "not run"
"""A date's status when the backfill stopped (a failure or a cancel) before it."""


@dataclass(frozen=True)
class DateResult:
    """How one date of a backfill ended.

    Attributes:
        day: The date.
        status: A :class:`~dwh.events.RunStatus` value, ``skipped`` or ``not run``.
        seconds: Wall seconds of its run, None when it did not run.
        output_rows: The rows it wrote (its ``output_rows`` metric, else its load
            phase's rows), when known.
        run_id: Its run, or for a skipped date the earlier run that made it skip.
        error: Why it did not succeed, one line.
        exit_code: Its process's exit code, when it ran.
    """

    day: dt.date
    status: str
    seconds: float | None = None
    output_rows: int | None = None
    run_id: str | None = None
    error: str | None = None
    exit_code: int | None = None

    def row(self) -> dict[str, Any]:
        """The summary row: JSON-ready values."""
        return {
            "date": self.day.isoformat(),
            "status": self.status,
            "seconds": None if self.seconds is None else round(self.seconds, 2),
            "output_rows": self.output_rows,
            "run_id": self.run_id,
            "error": self.error,
        }


@dataclass
class BackfillResult:
    """Every date of a finished backfill, in the order they were planned.

    Attributes:
        plan: What was planned.
        engine: The engine the dates ran with.
        dates: One result per date of the range.
        cancelled: Whether the backfill was cancelled.
        seconds: Wall seconds of the whole backfill.
    """

    plan: BackfillPlan
    engine: Engine
    dates: list[DateResult] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def backfill_id(self) -> str:
        """The backfill's id."""
        return self.plan.backfill_id

    @property
    def skipped(self) -> int:
        """How many dates were skipped because an earlier run had done them."""
        return sum(1 for date in self.dates if date.status == SKIPPED)

    def count(self, status: str) -> int:
        """How many dates ended with ``status``."""
        return sum(1 for date in self.dates if date.status == status)

    @property
    def exit_code(self) -> int:
        """130 if cancelled; 4 if every date that did not succeed failed its output
        checks; 1 if any other date that ran did not succeed; else 0."""
        if self.cancelled:
            return ExitCode.CANCELLED
        ran = [d for d in self.dates if d.status not in (SKIPPED, NOT_RUN)]
        bad = [d for d in ran if d.status != RunStatus.SUCCEEDED]
        if bad and all(d.exit_code == ExitCode.CHECKS_FAILED for d in bad):
            return ExitCode.CHECKS_FAILED
        if bad:
            return ExitCode.JOB_FAILED
        return ExitCode.OK

    def rows(self) -> list[dict[str, Any]]:
        """The summary table: one JSON-ready row per date."""
        return [date.row() for date in self.dates]


class Backfill:
    """Runs a :class:`BackfillPlan`.

    Args:
        plan: The plan (:func:`~dwh.backfill.plan.plan_backfill`).
        engine: ``cold`` or ``warm``; default warm when a warm server runs, else cold.
            Ignored for jobs that need no Spark.
        keep_going: Go on past a date that does not succeed.
        env: Extra environment for each date's process.
        stderr: Where each date's stderr (Spark's log) goes; this process's by default.
        on_start: Called with each date as it starts.
        on_finish: Called with each date's result as it ends.
    """

    def __init__(
        self,
        plan: BackfillPlan,
        *,
        engine: Engine | str | None = None,
        keep_going: bool = False,
        env: Mapping[str, str] | None = None,
        stderr: IO[str] | None = None,
        on_start: Callable[[DatePlan], None] | None = None,
        on_finish: Callable[[DateResult], None] | None = None,
    ) -> None:
        self.plan = plan
        self.engine = _engine(engine) if engine else default_engine()
        self.keep_going = keep_going
        self.env = dict(env or {})
        self.stderr = stderr
        self.on_start = on_start
        self.on_finish = on_finish
        self._cancelled = threading.Event()
        self._sessions: SharedSessions | None = None
        self._running: set[int] = set()
        self._running_lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Start no more dates and cancel the running ones (SIGTERM to their processes)."""
        self._cancelled.set()
        with self._running_lock:
            running = list(self._running)
        for pid in running:
            _terminate(pid)

    def _started(self, pid: int) -> None:
        """The launcher started a date's process: cancel reaches it from now on."""
        with self._running_lock:
            self._running.add(pid)
        if self.cancelled:  # cancelled while it was starting
            _terminate(pid)

    def run(self) -> BackfillResult:
        """Run the planned dates and return every date's result.

        In the main thread, SIGINT and SIGTERM call :meth:`cancel` while it runs.
        """
        started = time.monotonic()
        result = BackfillResult(self.plan, self.engine)
        done: dict[dt.date, DateResult] = {}
        if self.plan.needs_spark and self.engine is Engine.WARM and self.plan.to_run:
            remote = warm_session()
            self._sessions = SharedSessions(remote, self.plan.max_parallel)
        try:
            with _signals_cancel(self):
                self._run_dates(done)
        finally:
            if self._sessions is not None:
                self._sessions.release(self.env)
        for date in self.plan.dates:
            if not date.run:
                earlier = date.latest.run_id if date.latest else None
                done[date.day] = DateResult(date.day, SKIPPED, run_id=earlier)
            result.dates.append(done.get(date.day) or DateResult(date.day, NOT_RUN))
        result.cancelled = self.cancelled
        result.seconds = time.monotonic() - started
        return result

    def _run_dates(self, done: dict[dt.date, DateResult]) -> None:
        pending = deque(self.plan.to_run)
        running: dict[Future[DateResult], DatePlan] = {}
        stop = False
        with ThreadPoolExecutor(max_workers=self.plan.max_parallel) as pool:
            while pending or running:
                while pending and len(running) < self.plan.max_parallel and not stop:
                    if self.cancelled:
                        stop = True
                        break
                    date = pending.popleft()
                    if self.on_start is not None:
                        self.on_start(date)
                    running[pool.submit(self._run_date, date)] = date
                if not running:
                    break
                finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    del running[future]
                    outcome = future.result()
                    done[outcome.day] = outcome
                    if self.on_finish is not None:
                        self.on_finish(outcome)
                    failed = outcome.status != RunStatus.SUCCEEDED
                    if self.cancelled or (failed and not self.keep_going):
                        stop = True
                if stop:
                    pending.clear()

    def _run_date(self, date: DatePlan) -> DateResult:
        if self.cancelled:
            return DateResult(date.day, NOT_RUN)
        run_id = new_run_id()
        started = time.monotonic()
        pids: list[int] = []

        def on_start(pid: int) -> None:
            pids.append(pid)
            self._started(pid)

        with self._session() as remote:
            try:
                run = launch_date(
                    self.plan.job.name,
                    date.config,
                    run_id=run_id,
                    backfill_id=self.plan.backfill_id,
                    spark_remote=remote,
                    env=self.env or None,
                    stderr=self.stderr,
                    on_start=on_start,
                )
            finally:
                with self._running_lock:
                    self._running.difference_update(pids)
        return DateResult(
            day=date.day,
            status=str(run.status),
            seconds=time.monotonic() - started,
            output_rows=_output_rows(run),
            run_id=run.run_id,
            error=run.error,
            exit_code=run.exit_code,
        )

    @contextmanager
    def _session(self) -> Iterator[str | None]:
        """The remote a date runs on: a shared warm session, or None (cold, or no Spark)."""
        if self._sessions is None:  # set only for a warm backfill of a Spark job
            yield None
            return
        with self._sessions.session() as remote:
            yield remote


def _engine(value: Engine | str) -> Engine:
    try:
        return Engine(value)
    except ValueError:
        valid = ", ".join(engine.value for engine in Engine)
        raise UsageError(f"engine must be one of {valid}, got {value!r}") from None


def _output_rows(run: JobRun) -> int | None:
    """The ``output_rows`` metric, else the rows of the last load phase."""
    if isinstance(run.metrics, dict) and isinstance(run.metrics.get("output_rows"), int):
        return int(run.metrics["output_rows"])
    loads = [
        e
        for e in run.events
        if e.event == EventName.PHASE_FINISHED and e.payload.get("phase") == "load"
    ]
    rows = loads[-1].payload.get("rows") if loads else None
    return rows if isinstance(rows, int) else None


def _terminate(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


@contextmanager
def _signals_cancel(backfill: Backfill) -> Iterator[None]:
    """While the block runs in the main thread, SIGINT and SIGTERM cancel the backfill."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        backfill.cancel()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)

"""The live run console: it runs a job through the launcher and shows it as it happens.

A status line, a Spark progress bar (the current stage's tasks), the lifecycle log
and the process log. The console owns the run: :meth:`RunConsole.run` starts it with
the launcher it was given (:mod:`dwh.launch`'s async face), :meth:`RunConsole.cancel`
stops it, and its ``on_finished`` callback tells the screen how it ended. Its ``p``
key posts :class:`tui.widgets.messages.PreviewRequested` for the screen to open, its
``f`` key :class:`~tui.widgets.messages.FailingRowsRequested` (a failed check's rows).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Collapsible, Log, ProgressBar, RichLog, Static

from dwh.errors import one_line
from dwh.events import Event, EventName, RunStatus
from dwh.launch import LogLine, Outcome, RunWatch
from tui.chain import ChainFeed, ChainStop, chain_outcome, run_chain
from tui.checks import failing_samples
from tui.widgets.diff_view import DiffRequested
from tui.widgets.lifecycle import event_lines
from tui.widgets.messages import PreviewRequested, ask_failing_rows
from tui.widgets.run_status import is_bad, stage_label, status_line, task_count

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer

    from dwh.diff.summary import OutputSummary
    from dwh.launch import Launcher, RunHandle, RunRequest
    from tui.spark_server import SparkServer

MAX_LOG_LINES = 5000
"""The process log keeps the last this many lines."""
LOG_FLUSH_SECONDS = 0.1


class RunConsole(Vertical):
    """Shows one run as it happens.

    The lifecycle log holds only events; whatever the process prints (Spark's log
    included) goes to the collapsible process log below it.

    Args:
        launcher: Starts runs (:class:`dwh.launch.SubprocessLauncher`, or a replay).
        clock: A monotonic clock, replaceable so snapshots show a fixed elapsed time.
        on_finished: Called with the request and its outcome as soon as a run has
            ended (in the same step, so the screen's controls never lag the console).
        spark: Reads and starts the local Spark server; needed for warm runs.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "preview", "Preview", id="dwh.run.preview", tooltip="Preview outputs"),
        Binding("d", "diff", "Diff", id="dwh.run.diff", tooltip="What changed"),
        Binding("f", "failing_rows", "Failing rows", id="dwh.run.failing_rows"),
    ]

    def __init__(
        self,
        *,
        launcher: Launcher,
        clock: Callable[[], float] = time.monotonic,
        on_finished: Callable[[RunRequest, Outcome], None] | None = None,
        spark: SparkServer | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._launcher = launcher
        self._spark = spark
        self._server_wait: RunRequest | None = None
        """The warm run waiting for the Spark server to start (ctrl+t drops it)."""
        self._on_finished = on_finished
        self.handle: RunHandle | None = None
        self._chain: ChainStop | None = None
        """The chain in progress (:meth:`run_chain`), to cancel it."""
        self.stage: Event | None = None
        """The latest ``spark_progress`` event: the stage the bar shows."""
        self._clock = clock
        self._started: float | None = None
        self._ended: float | None = None
        self._timer: Timer | None = None
        self.status = "idle"
        self.job = ""
        self.run_id = ""
        self.message = ""
        self.entries: list[str] = []
        self.log_lines: deque[str] = deque(maxlen=MAX_LOG_LINES)
        self.log_count = 0
        self._pending: list[str] = []
        self.outputs: dict[str, str] = {}
        self.diffs: list[OutputSummary] = []
        """The after-run diff summaries (:func:`dwh.diff.summary.run_summaries`)."""
        self.audits: list[dict[str, Any]] = []
        """The run's ``checks_finished`` payloads, one per audited output."""

    def compose(self) -> ComposeResult:
        hint = Text("No run yet: pick a job, shape its config, press ctrl+j.", style="dim")
        yield Static(hint, id="run-status")
        with Horizontal(id="run-progress"):
            yield Static(id="run-stage")
            yield ProgressBar(id="run-progress-bar", show_eta=False)
        lifecycle = RichLog(id="run-lifecycle", wrap=True, markup=False)
        lifecycle.border_title = "lifecycle"
        yield lifecycle
        with Collapsible(title="process log (stdout and stderr, Spark's log)", id="run-log-box"):
            yield Log(id="run-log", max_lines=MAX_LOG_LINES)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out the keys of what the last run has not got (outputs, diffs, failures)."""
        available = {
            "preview": bool(self.outputs),
            "diff": any(summary.diff is not None for summary in self.diffs),
            "failing_rows": bool(failing_samples(self.audits)),
        }
        return None if available.get(action) is False else True

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self.status in ("starting", "running", "cancelling")

    def run(self, request: RunRequest, *, warm: bool = False) -> None:
        """Start ``request`` through the launcher and follow it to its end.

        With ``warm``, the run goes to the local Spark server (``spark_remote``), which
        is started first if none runs.
        """
        self.start(request.job, request.run_id)
        self._follow(request, warm)

    def cancel(self) -> bool:
        """Ask the running job to stop (SIGTERM: on_failure runs); False if none runs.

        A warm run still waiting for the Spark server ends at once as cancelled (the
        server goes on starting, for the next run).
        """
        waiting = self._server_wait
        if waiting is not None:
            self._server_wait = None
            self.workers.cancel_group(self, "run")
            message = "cancelled while the Spark server was starting; nothing ran"
            self._end(waiting, Outcome(RunStatus.CANCELLED, message, message))
            return True
        if self._chain is not None and self.running:
            self._chain.cancel()
            self.set_status("cancelling")
            return True
        if self.handle is None or not self.running:
            return False
        self.handle.terminate()
        self.set_status("cancelling")
        return True

    def on_unmount(self) -> None:
        """Never leave a job running behind the TUI."""
        if self.handle is not None:
            self.handle.terminate()
        if self._chain is not None:
            self._chain.cancel()

    def run_chain(self, request: RunRequest, *, warm: bool = False) -> None:
        """Run ``request``, then the jobs the trigger map chains after it (:mod:`tui.chain`).

        Every run's events show here as they come; ctrl+t cancels the run in progress
        and no more start.
        """
        self.start(request.job, request.run_id)
        self._follow_chain(request, warm)

    @work(exclusive=True, group="run", exit_on_error=False)
    async def _follow_chain(self, request: RunRequest, warm: bool = False) -> None:
        aimed = await self._aim(request, warm)
        if aimed is None:
            return
        stop = self._chain = ChainStop()
        feed = ChainFeed(lambda item: self.app.call_from_thread(self.show, item))
        try:
            runs = await asyncio.to_thread(run_chain, aimed, feed, stop)
        except Exception as exc:  # a bad trigger map: a status, never a crash
            message = f"the chain could not be started: {one_line(exc)}"
            self.add_note(message, style="red")
            self._end(aimed, _unstarted(message))
            return
        finally:
            self._chain = None
        for run in runs:
            style = "green" if run.status == RunStatus.SUCCEEDED else "yellow"
            self.add_note(f"chain: {run.job} run {run.run_id} {run.status}", style=style)
        self._end(aimed, chain_outcome(runs, cancelled=stop.requested))

    async def _aim(self, request: RunRequest, warm: bool) -> RunRequest | None:
        """``request`` aimed at the local Spark server if ``warm``; None if it won't start."""
        if not warm:
            return request
        try:
            return await self._on_server(request)
        except Exception as exc:  # the server would not start: a status, never a crash
            message = f"the local Spark server could not be started: {exc}"
            self.add_note(message, style="red")
            self._end(request, _unstarted(message))
            return None

    @work(exclusive=True, group="run", exit_on_error=False)
    async def _follow(self, request: RunRequest, warm: bool = False) -> None:
        aimed = await self._aim(request, warm)
        if aimed is None:
            return
        request = aimed
        try:
            handle = await self._launcher.launch(request)
        except Exception as exc:  # no interpreter, no fds, ...: a status, never a crash
            message = f"the job could not be started: {type(exc).__name__}: {exc}"
            self._end(request, _unstarted(message))
            return
        self.handle = handle
        watch = RunWatch(request)
        try:
            async for item in handle.items():
                watch.add(item)
                self.show(item)
        except Exception as exc:  # the TUI lost the stream: stop the job, say so
            handle.terminate()
            watch.add(
                LogLine(f"dwh: the TUI stopped following the run: {type(exc).__name__}: {exc}")
            )
        finally:
            self.handle = None
        result = watch.conclude(handle.returncode, cancelled=self.status == "cancelling")
        if not result.reported:
            self.add_note(result.message, style="yellow")
        if watch.settle_problem:
            self.notify(watch.settle_problem, severity="warning")
        self._end(request, result)

    async def _on_server(self, request: RunRequest) -> RunRequest:
        """Return ``request`` aimed at the local Spark server, starting one if none runs."""
        if self._spark is None:
            raise RuntimeError("this console was given no Spark server")
        status = await asyncio.to_thread(self._spark.status)
        if not status.running:
            self.add_note("starting the local Spark server ... (dwh spark start)", style="cyan")
            began = time.monotonic()
            self._server_wait = request
            try:
                status = await asyncio.to_thread(self._spark.start)
            finally:
                self._server_wait = None
            took = time.monotonic() - began
            self.add_note(f"started at {status.url} in {took:.0f} s (dwh spark stop)", style="cyan")
        self.add_note(f"warm run on {status.url}", style="dim")
        return dataclasses.replace(request, spark_remote=status.url)

    def _end(self, request: RunRequest, result: Outcome) -> None:
        self.finish(result.status, result.message)
        if result.status == RunStatus.SUCCEEDED and self.outputs:
            self._summarise_diffs(self.run_id)
        if self._on_finished is not None:
            self._on_finished(request, result)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def _summarise_diffs(self, run_id: str) -> None:
        # The same lines `dwh run` prints; pyarrow in this thread, never Spark.
        from dwh.diff.summary import run_summaries

        found = run_summaries(run_id)
        self.app.call_from_thread(self._show_diffs, run_id, found)

    def _show_diffs(self, run_id: str, found: list[OutputSummary]) -> None:
        if run_id != self.run_id:
            return  # a newer run started meanwhile
        self.diffs = found
        self.refresh_bindings()
        for summary in found:
            self.add_note(f"diff: {summary.line}", style="magenta")
        if any(summary.diff is not None for summary in found):
            self.add_note("press d to see what changed", style="dim")

    def action_diff(self) -> None:
        """Ask for the diff screen of the outputs the run changed (the screen opens it)."""
        outputs = [summary.output for summary in self.diffs if summary.diff is not None]
        if not outputs:
            self.notify("no output of this run has a previous version to diff", severity="warning")
            return
        self.post_message(DiffRequested(self.run_id, outputs))

    def show(self, item: object) -> None:
        """Show one item of the run: an event, a line of its log, or a bad event line."""
        if isinstance(item, Event):
            if item.event == EventName.SPARK_PROGRESS:
                self.show_progress(item)
            else:
                self.add_event(item)
        elif isinstance(item, LogLine):
            self.add_log(item.text)
        else:
            reason, text = getattr(item, "reason", "?"), getattr(item, "text", "")
            self.add_note(f"⚠ {reason}: {text[:200]}", style="yellow")

    def show_progress(self, event: Event) -> None:
        """Show a ``spark_progress`` event on the bar (never as a lifecycle line)."""
        self.stage = event
        payload = event.payload
        done, total = task_count(payload, "tasks_done"), task_count(payload, "tasks_total")
        self.query_one("#run-stage", Static).update(stage_label(payload))
        self.query_one("#run-progress-bar", ProgressBar).update(total=max(total, 1), progress=done)
        self.query_one("#run-progress").display = True
        if self.status == "starting":
            self.set_status("running")

    def start(self, job: str, run_id: str) -> None:
        """Clear the console for a new run."""
        self.job, self.run_id, self.message = job, run_id, ""
        self.stage = None
        self.query_one("#run-progress").display = False
        self.entries.clear()
        self.outputs = {}
        self.diffs = []
        self.audits = []
        self.refresh_bindings()
        self.log_lines.clear()
        self.log_count = 0
        self._pending.clear()
        self.query_one("#run-lifecycle", RichLog).clear()
        self.query_one("#run-log", Log).clear()
        self._started, self._ended = self._clock(), None
        self.set_status("starting")
        if self._timer is None:
            self._timer = self.set_interval(0.5, self._tick)
        else:
            self._timer.resume()

    def add_event(self, event: Event) -> None:
        """Append an event to the lifecycle log."""
        log = self.query_one("#run-lifecycle", RichLog)
        for line in event_lines(event):
            self.entries.append(line.plain)
            log.write(line)
        if event.event == EventName.JOB_SUCCEEDED:
            self.outputs = dict(event.payload.get("outputs") or {})
            self.refresh_bindings()
        elif event.event == EventName.CHECKS_FINISHED:
            self.audits.append(dict(event.payload))
            if failing_samples([event.payload]):
                self.add_note("press f to see the failing rows", style="dim")
                self.refresh_bindings()
        if self.status == "starting":
            self.set_status("running")

    def action_preview(self) -> None:
        """Ask for a preview of what the run wrote (its outputs, once it succeeded)."""
        if not self.outputs:
            self.notify("no outputs recorded by this run (yet)", severity="warning")
            return
        self.post_message(PreviewRequested(self.outputs, title=f"run {self.run_id}"))

    def action_failing_rows(self) -> None:
        """Ask for the sample rows of the checks that failed or warned (in a preview)."""
        ask_failing_rows(self, self.audits, self.run_id)

    def add_note(self, text: str, style: str = "dim") -> None:
        """Append a line that is not an event (a stream problem, how the process ended)."""
        self.entries.append(text)
        self.query_one("#run-lifecycle", RichLog).write(Text(text, style=style))

    def add_log(self, line: str) -> None:
        """Append a line of the process's own output; lines are drawn in batches."""
        self.log_lines.append(line)
        self.log_count += 1
        self._pending.append(line)
        if len(self._pending) == 1:
            # Spark can print thousands of lines a second: draw them 10 times a second.
            self.set_timer(LOG_FLUSH_SECONDS, self._flush_log)

    def _flush_log(self) -> None:
        if self._pending:
            lines, self._pending = self._pending[-MAX_LOG_LINES:], []
            self.query_one("#run-log", Log).write_lines(lines)

    def finish(self, status: str, message: str = "") -> None:
        """Mark the run as ended."""
        self._ended = self._clock()
        self.message = message
        self.query_one("#run-progress").display = False
        self.set_status(status)
        self._flush_log()
        self._refresh_log_title()
        if self._timer is not None:
            self._timer.pause()

    def set_status(self, status: str) -> None:
        """Change the status and redraw the status line."""
        self.status = status
        self.set_class(is_bad(status), "-bad")
        self._refresh_status()

    def elapsed(self) -> float | None:
        """Seconds since the run started (until it ended)."""
        if self._started is None:
            return None
        end = self._ended if self._ended is not None else self._clock()
        return max(0.0, end - self._started)

    def _tick(self) -> None:
        self._refresh_status()
        self._refresh_log_title()

    def _refresh_log_title(self) -> None:
        # Retitle on the tick, not on every line.
        count = self.log_count
        title = f"process log (stdout and stderr, Spark's log): {count} line{'s' * (count != 1)}"
        box = self.query_one("#run-log-box", Collapsible)
        if box.title != title:
            box.title = title

    def _refresh_status(self) -> None:
        if self.status == "idle":
            return
        line = status_line(self.status, self.job, self.run_id, self.elapsed(), self.message)
        self.query_one("#run-status", Static).update(line)


def _unstarted(message: str) -> Outcome:
    return Outcome(RunStatus.FAILED, message, message)

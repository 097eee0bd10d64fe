"""Run actions of the workspace: run, watch, cancel, rerun."""

from __future__ import annotations

import json
from typing import Any

from textual import work
from textual.widgets import TabbedContent

from dwh.events import TERMINAL_EVENTS, Event
from dwh.redaction import REDACTED
from tui.config_files import pretty_json
from tui.history import close_store, open_run_store
from tui.outcome import run_outcome
from tui.runner import LogLine, RunRequest
from tui.screens.workspace import Workspace
from tui.validation import parse_valid
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.history_view import HistoryView
from tui.widgets.run_console import RunConsole

_TRIGGER_FIELDS = ("triggered_by_job", "triggered_by_run_id")


class RunActions(Workspace):
    """Starts runs through the generic entry and follows them in the run console."""

    def action_run(self) -> None:
        """Run the job with the editor's config, through the generic entry."""
        if self.job is None or self.detail is None or not self._can_run():
            self.notify("Run needs a valid config and no run in progress.", severity="warning")
            return
        request = RunRequest(
            job=self.job.name,
            module=self.job.module,
            config=parse_valid(self.query_one(ConfigEditor).text),
            has_spark=self.detail.needs_spark,
            run_id=self.dwh.new_run_id(),
        )
        self.last_request = request
        self.query_one(RunConsole).start(request.job, request.run_id)
        self.action_show_tab("tab-run")
        self._sync_controls()
        self._run(request)

    @work(exclusive=True, group="run", exit_on_error=False)
    async def _run(self, request: RunRequest) -> None:
        console = self.query_one(RunConsole)
        try:
            handle = await self.dwh.launcher.launch(request)
        except Exception as exc:  # no interpreter, no fds, ...: a status, never a crash
            console.finish("failed", f"the job could not be started: {type(exc).__name__}: {exc}")
            self._sync_controls()
            return
        self._handle = handle
        terminal: Event | None = None
        streamed: list[Event] = []
        last_error = ""
        try:
            async for item in handle.items():
                if isinstance(item, Event):
                    streamed.append(item)
                    console.add_event(item)
                    if item.event in TERMINAL_EVENTS:
                        terminal = item
                elif isinstance(item, LogLine):
                    console.add_log(item.text)
                    if item.text.startswith("dwh: "):
                        last_error = item.text
                else:
                    console.add_note(f"⚠ {item.reason}: {item.text[:200]}", style="yellow")
        except Exception as exc:  # the TUI lost the stream: stop the job, say so
            handle.terminate()
            last_error = f"dwh: the TUI stopped following the run: {type(exc).__name__}: {exc}"
        finally:
            self._handle = None
        outcome = run_outcome(terminal, handle.returncode, last_error)
        if not outcome.reported:
            console.add_note(outcome.message, style="yellow")
            self._record_unreported(request, outcome.status, outcome.message, streamed)
        console.finish(outcome.status, outcome.message)
        self._sync_controls()
        self.refresh_history()
        if self.query_one(TabbedContent).active != "tab-run":
            message = f"{request.job} {outcome.status}: {outcome.message}"
            if outcome.status == "succeeded":
                self.notify(message)
            else:
                self.notify(message, severity="warning")

    def _record_unreported(
        self, request: RunRequest, status: str, message: str, streamed: list[Event]
    ) -> None:
        """Tell the run store how a run ended when its process could not.

        The events the TUI was shown go along: the process may have died before
        recording them (see ``RunStore.settle_unreported``).
        """
        store = open_run_store().store
        if store is None:
            return
        try:
            store.settle_unreported(
                request.run_id, status, error=message, streamed=streamed, module=request.module
            )
        except Exception as exc:
            self.notify(f"The run store was not updated: {exc}", severity="warning")
        finally:
            close_store(store)

    def action_cancel(self) -> None:
        """Stop the running job (SIGTERM: on_failure runs, the run is cancelled)."""
        console = self.query_one(RunConsole)
        if self._handle is None or not console.running:
            self.notify("No run in progress.", severity="warning")
            return
        self._handle.terminate()
        console.set_status("cancelling")

    def on_unmount(self) -> None:
        """Never leave a job running behind the TUI."""
        if self._handle is not None:
            self._handle.terminate()

    def action_rerun(self) -> None:
        """In History: load the selected run's config. Elsewhere: rerun the last run."""
        if self.query_one(TabbedContent).active == "tab-history":
            record = self.query_one(HistoryView).selected
            if record is None:
                self.notify("No run selected.", severity="warning")
                return
            self.load_run_config(record.job, record.config, f"from run {record.run_id}")
            return
        self.rerun_last()

    def rerun_last(self) -> None:
        """Run the last run's job again with the same config."""
        request = self.last_request
        if request is None:
            history = self.query_one(HistoryView).records
            if not history:
                self.notify("Nothing to rerun yet.", severity="warning")
                return
            last = history[0]
            self.load_run_config(last.job, last.config, f"from run {last.run_id}", run=True)
            return
        self.load_run_config(request.job, request.config, "rerun", run=True)

    def load_run_config(
        self, job_name: str, config: dict[str, Any], source: str, *, run: bool = False
    ) -> None:
        """Open ``job_name`` with ``config`` in the editor; run it if asked and valid."""
        job = self.dwh.catalog.find(job_name)
        if job is None:
            self.notify(f"Job '{job_name}' is not registered any more.", severity="error")
            return
        clean = {k: v for k, v in config.items() if not (k in _TRIGGER_FIELDS and v is None)}
        if REDACTED in json.dumps(clean):
            # Never run with placeholders where secrets were: the user fills them in.
            run = False
            self.notify(
                f"Secrets were redacted in the run store: replace the {REDACTED} values, then run.",
                severity="warning",
            )
        self.open_job(job, text=pretty_json(clean), source=source)
        if self._pending is not None:
            self._pending = (*self._pending[:2], run)
        self.action_show_tab("tab-config")

"""The run history: a table of past runs and the selected run's events and config.

Its keys open more: ``p`` posts :class:`tui.widgets.messages.PreviewRequested`, ``f``
:class:`~tui.widgets.messages.FailingRowsRequested` (a failed check's sample rows) and
``d`` :class:`HistoryView.OpenRun`; the screen that owns the view opens them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, RichLog, Static

from tui.checks import audits_from_events, failing_samples
from tui.history import (
    close_store,
    format_duration,
    format_time,
    key_metrics,
    read_error,
    triggered_by,
)
from tui.widgets.lifecycle import history_lines
from tui.widgets.messages import PreviewRequested, ask_failing_rows

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.runs.store import RunRecord, RunStore

_STATUS_STYLE = {
    "succeeded": "green",
    "failed": "red",
    "cancelled": "yellow",
    "running": "cyan",
    "lost": "red",
}


class HistoryView(Vertical):
    """Past runs, newest first; the highlighted run's events and config below."""

    class OpenRun(Message):
        """The user asked for everything the store knows about a run (``d``).

        Attributes:
            store: The run store the run is in.
            run_id: The run to open.
        """

        def __init__(self, store: RunStore, run_id: str) -> None:
            super().__init__()
            self.store = store
            self.run_id = run_id

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "preview", "Preview", id="dwh.history.preview", tooltip="Preview outputs"),
        Binding("d", "drill_down", "Details", id="dwh.history.details", tooltip="Run details"),
        Binding("f", "failing_rows", "Failing rows", id="dwh.history.failing_rows"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store: RunStore | None = None
        self.records: list[RunRecord] = []
        self.selected: RunRecord | None = None
        self.detail_lines: list[str] = []
        self.audits: list[dict[str, Any]] = []
        """The highlighted run's ``checks_finished`` payloads."""
        self._warmed = False

    def compose(self) -> ComposeResult:
        yield Static("", id="history-message")
        table: DataTable[str | Text] = DataTable(id="history-table", cursor_type="row")
        table.add_columns("started (UTC)", "job", "status", "duration", "metrics", "triggered by")
        yield table
        detail = RichLog(id="history-detail", wrap=True, markup=False, auto_scroll=False)
        detail.border_title = "run"
        yield detail

    def load(self, store: RunStore | None, message: str = "") -> None:
        """Read the runs from ``store`` (or show why there is none)."""
        self.store = store
        records: list[RunRecord] = []
        if store is not None:
            try:
                records = list(store.runs(limit=200))
            except Exception as exc:  # a corrupt store is a message, never a crash
                message = read_error(exc)
        self.records = records
        if store is not None and not records and not message:
            message = "No runs recorded yet."
        self.query_one("#history-message", Static).update(Text(message, style="yellow"))
        self.query_one("#history-message", Static).display = bool(message)
        table: DataTable[str | Text] = self.query_one("#history-table", DataTable)
        table.clear()
        for record in records:
            table.add_row(
                format_time(record.started_at),
                record.job,
                Text(record.status, style=_STATUS_STYLE.get(record.status, "")),
                format_duration(record.duration_seconds),
                key_metrics(record.metrics),
                triggered_by(record),
                key=record.run_id,
            )
        self._show(records[0] if records else None)

    def on_unmount(self) -> None:
        """Release the store."""
        close_store(self.store)
        self.store = None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted run."""
        event.stop()
        key = event.row_key.value
        self._show(next((r for r in self.records if r.run_id == key), None))

    def _show(self, record: RunRecord | None) -> None:
        self.selected = record
        detail = self.query_one("#history-detail", RichLog)
        detail.clear()
        self.detail_lines = []
        self.audits = []
        if record is None:
            return
        detail.border_title = f"run {record.run_id} · ctrl+r loads its config into the editor"
        lines = [Text(f"{record.job}  {record.status}  module {record.module or '?'}", "bold")]
        if record.error:
            lines.append(Text(f"error: {record.error}", style="red"))
        events: list[Any] = []
        if self.store is not None:
            try:
                events = list(self.store.events(record.run_id))
            except Exception as exc:
                lines.append(Text(read_error(exc), style="yellow"))
        outputs = getattr(record, "outputs", None) or {}
        if outputs and not self._warmed:
            # pyarrow takes ~0.3 s to import: do it now, off the UI thread, so the
            # preview key only reads data.
            self._warmed = True
            self.run_worker(_warm_preview, thread=True, exit_on_error=False)
        if outputs:
            lines.append(Text("outputs · p previews them · d shows the run", style="bold"))
            lines.extend(Text(f"  {name} → {path}") for name, path in outputs.items())
        self.audits = audits_from_events(events)
        if failing_samples(self.audits):
            lines.append(Text("checks failed · f shows the failing rows", style="bold red"))
        lines.append(Text("events", style="bold"))
        lines.extend(history_lines(events))
        lines.append(Text("config (secrets redacted)", style="bold"))
        lines.extend(Text("  " + row) for row in json.dumps(record.config, indent=2).splitlines())
        for line in lines:
            self.detail_lines.append(line.plain)
            detail.write(line)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out the keys of what the highlighted run has not got."""
        available = {
            "preview": bool(getattr(self.selected, "outputs", None)),
            "drill_down": self.selected is not None,
            "failing_rows": bool(failing_samples(self.audits)),
        }
        return None if available.get(action) is False else True

    def action_preview(self) -> None:
        """Ask for a preview of the highlighted run's outputs."""
        outputs = getattr(self.selected, "outputs", None) or {}
        if self.selected is None or not outputs:
            self.notify("this run recorded no outputs", severity="warning")
            return
        self.post_message(PreviewRequested(outputs, title=f"run {self.selected.run_id}"))

    def action_failing_rows(self) -> None:
        """Ask for the sample rows of the highlighted run's failed or warned checks."""
        if self.selected is not None:
            ask_failing_rows(self, self.audits, self.selected.run_id)

    def action_drill_down(self) -> None:
        """Ask for everything the store knows about the highlighted run."""
        if self.selected is None or self.store is None:
            return
        self.post_message(self.OpenRun(self.store, self.selected.run_id))


def _warm_preview() -> None:
    """Import what a preview needs (pyarrow's Parquet reader) ahead of the key press."""
    import importlib

    # The preview screen's own module is the screen's to import (widgets import no
    # screens); after these two it costs about 4 ms.
    for module in ("pyarrow.parquet", "dwh.preview._arrow"):
        importlib.import_module(module)

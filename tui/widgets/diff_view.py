"""A run's per-output diff summaries, and the message that asks for a diff screen.

The summaries are :func:`dwh.diff.summary.run_summaries`, the same lines ``dwh run``
prints, computed in a thread worker (pyarrow; never Spark). Enter on an output posts
:class:`DiffRequested`; the screen that holds the widget opens the diff screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import DataTable

if TYPE_CHECKING:
    from dwh.diff.summary import OutputSummary

__all__ = ["DiffRequested", "DiffView"]


class DiffRequested(Message):
    """Show what run ``run_id`` changed in ``outputs`` (names of its outputs).

    Attributes:
        run_id: The run.
        outputs: Which of its outputs, first shown first.
    """

    def __init__(self, run_id: str, outputs: list[str]) -> None:
        super().__init__()
        self.run_id = run_id
        self.outputs = outputs


class DiffView(DataTable[Text]):
    """One row per output of a run: its one-line diff summary, or why there is none.

    Args:
        run_id: The run.
        outputs: Its outputs, name to path.
    """

    def __init__(self, run_id: str, outputs: dict[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.run_id = run_id
        self.outputs = dict(outputs)
        self.summaries: dict[str, str] | None = None
        """Output name to its line, once computed."""

    def on_mount(self) -> None:
        """List the outputs, then compute their summaries off the UI thread."""
        self.add_columns("output", "what the run changed (enter: diff)")
        for name in self.outputs:
            self.add_row(Text(name), Text("computing ...", style="dim"), key=name)
        if self.outputs:
            self._summarise()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _summarise(self) -> None:
        from dwh.diff.summary import run_summaries

        found = run_summaries(self.run_id)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[OutputSummary]) -> None:
        lines = {summary.output: summary.line for summary in found}
        self.summaries = {
            name: lines.get(name, f"{name}: no previous version to diff against")
            for name in self.outputs
        }
        column = self.ordered_columns[1].key
        for name, line in self.summaries.items():
            style = "" if name in lines else "dim"
            self.update_cell(name, column, Text(line, style=style), update_width=True)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(DiffRequested(self.run_id, [str(event.row_key.value)]))

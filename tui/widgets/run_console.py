"""The live run console: a status line, the lifecycle log and the process log."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Collapsible, Log, RichLog, Static

from tui.history import format_duration
from tui.widgets.lifecycle import event_lines

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer

    from dwh.events import Event

_STYLES = {
    "starting": ("◌", "cyan"),
    "running": ("●", "cyan"),
    "succeeded": ("✔", "green"),
    "failed": ("✘", "red"),
    "cancelled": ("■", "yellow"),
    "cancelling": ("◍", "yellow"),
}


class RunConsole(Vertical):
    """Shows one run as it happens.

    The lifecycle log holds only events; whatever the process prints (Spark's log
    included) goes to the collapsible process log below it.

    Args:
        clock: A monotonic clock, replaceable so snapshots show a fixed elapsed time.
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._started: float | None = None
        self._ended: float | None = None
        self._timer: Timer | None = None
        self.status = "idle"
        self.job = ""
        self.run_id = ""
        self.message = ""
        self.entries: list[str] = []
        self.log_lines: list[str] = []

    def compose(self) -> ComposeResult:
        hint = Text("No run yet: pick a job, shape its config, press ctrl+j.", style="dim")
        yield Static(hint, id="run-status")
        lifecycle = RichLog(id="run-lifecycle", wrap=True, markup=False)
        lifecycle.border_title = "lifecycle"
        yield lifecycle
        with Collapsible(title="process log (stdout and stderr, Spark's log)", id="run-log-box"):
            yield Log(id="run-log", max_lines=5000)

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self.status in ("starting", "running", "cancelling")

    def start(self, job: str, run_id: str) -> None:
        """Clear the console for a new run."""
        self.job, self.run_id, self.message = job, run_id, ""
        self.entries.clear()
        self.log_lines.clear()
        self.query_one("#run-lifecycle", RichLog).clear()
        self.query_one("#run-log", Log).clear()
        self._started, self._ended = self._clock(), None
        self.set_status("starting")
        if self._timer is None:
            self._timer = self.set_interval(0.5, self._refresh_status)

    def add_event(self, event: Event) -> None:
        """Append an event to the lifecycle log."""
        log = self.query_one("#run-lifecycle", RichLog)
        for line in event_lines(event):
            self.entries.append(line.plain)
            log.write(line)
        if self.status == "starting":
            self.set_status("running")

    def add_note(self, text: str, style: str = "dim") -> None:
        """Append a line that is not an event (a stream problem, how the process ended)."""
        self.entries.append(text)
        self.query_one("#run-lifecycle", RichLog).write(Text(text, style=style))

    def add_log(self, line: str) -> None:
        """Append a line of the process's own output."""
        self.log_lines.append(line)
        self.query_one("#run-log", Log).write_line(line)
        box = self.query_one("#run-log-box", Collapsible)
        count = len(self.log_lines)
        box.title = (
            f"process log (stdout and stderr, Spark's log): {count} line{'s' * (count != 1)}"
        )

    def finish(self, status: str, message: str = "") -> None:
        """Mark the run as ended."""
        self._ended = self._clock()
        self.message = message
        self.set_status(status)

    def set_status(self, status: str) -> None:
        """Change the status and redraw the status line."""
        self.status = status
        self.set_class(status in ("failed", "cancelled"), "-bad")
        self._refresh_status()

    def elapsed(self) -> float | None:
        """Seconds since the run started (until it ended)."""
        if self._started is None:
            return None
        end = self._ended if self._ended is not None else self._clock()
        return max(0.0, end - self._started)

    def _refresh_status(self) -> None:
        if self.status == "idle":
            return
        symbol, style = _STYLES.get(self.status, ("•", ""))
        line = Text()
        line.append(f"{symbol} {self.status}", style=f"bold {style}")
        elapsed = format_duration(self.elapsed())
        line.append(f"   {self.job}   run {self.run_id}   elapsed {elapsed}")
        if self.message:
            line.append(f"\n{self.message}", style=style)
        self.query_one("#run-status", Static).update(line)

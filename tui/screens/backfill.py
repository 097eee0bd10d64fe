"""The backfill dialog: one run of a job per date, previewed first, then followed.

The dialog takes the job's config from the editor as the template (placeholders such
as ``{run_date:%Y/%m}`` allowed) and plans the backfill with :mod:`dwh.backfill` on
every change of its fields, in a thread: the plan is the dry run (each date, its
latest run with the same config, whether it will run), and a problem is the same one
line ``dwh backfill`` prints, with Start disabled. Start runs the plan in a thread
worker; :class:`~dwh.backfill.Backfill` starts each date as its own child process
through the generic entry, so this process never imports pyspark. Cancel ends the date
running now as cancelled and starts no more.
"""

from __future__ import annotations

import dataclasses
import json
from typing import IO, TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)

from dwh.backfill import (
    DEFAULT_DATE_FIELD,
    Backfill,
    BackfillPlan,
    BackfillResult,
    DatePlan,
    DateResult,
    Reprocess,
    log_path,
    new_backfill_id,
    plan_backfill,
)
from dwh.errors import DwhError
from dwh.events import RunStatus
from dwh.redaction import redact_config

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult

AUTO = "auto"
"""The engine choice that lets the backfill pick: warm when a warm server runs, else cold."""
_ENGINES = [("auto (warm if a server runs)", AUTO), ("warm", "warm"), ("cold", "cold")]
_COLUMNS = [
    ("date", "date"),
    ("latest run", "latest"),
    ("plan", "plan"),
    ("status", "status"),
    ("seconds", "seconds"),
    ("output rows", "rows"),
]
_STYLE: dict[str, str] = {
    RunStatus.SUCCEEDED: "green",
    RunStatus.FAILED: "red",
    RunStatus.REJECTED: "red",
    RunStatus.LOST: "red",
    RunStatus.CANCELLED: "magenta",
    RunStatus.RUNNING: "yellow",
}


class BackfillScreen(ModalScreen[None]):
    """Plan, run and follow a backfill of one job.

    Args:
        job: The job's name.
        template: The config template: the editor's JSON text.
        new_backfill_id: Makes the id each started backfill carries (fixed in tests).
    """

    DEFAULT_CSS = """
    BackfillScreen { align: center middle; }
    BackfillScreen #backfill {
        width: 96%; height: auto; max-height: 96%; padding: 0 2;
        border: thick $primary; background: $surface;
    }
    BackfillScreen .bf-row { height: auto; margin: 0 0 1 0; }
    BackfillScreen .bf-row Label { padding: 1 1 0 0; }
    BackfillScreen .bf-row Input { width: 16; }
    BackfillScreen #bf-field { width: 18; }
    BackfillScreen .bf-row Select { width: 34; }
    BackfillScreen #bf-reprocess { width: 14; }
    BackfillScreen #bf-engine { width: 40; }
    BackfillScreen #bf-message { height: auto; }
    BackfillScreen #bf-message.error { color: $error; }
    BackfillScreen #bf-progress { margin: 1 0 0 0; }
    BackfillScreen #bf-dates { height: auto; max-height: 12; margin: 1 0 0 0; }
    BackfillScreen #bf-config { height: auto; max-height: 8; color: $text-muted; }
    BackfillScreen .buttons { height: auto; margin: 1 0 0 0; }
    BackfillScreen .buttons Button { margin: 0 2 0 0; }
    BackfillScreen.-narrow #backfill { width: 100%; max-height: 100%; padding: 0 1; }
    BackfillScreen.-narrow .bf-row { margin: 0; }
    BackfillScreen.-narrow .bf-row Label { padding: 0 1 0 0; }
    BackfillScreen.-narrow .bf-row Checkbox { margin: 0 2 0 0; }
    BackfillScreen.-narrow #bf-progress { margin: 0; }
    BackfillScreen.-narrow #bf-dates { max-height: 7; margin: 0; }
    BackfillScreen.-narrow #bf-config { max-height: 3; }
    BackfillScreen.-narrow .buttons { margin: 0; }
    BackfillScreen.-narrow .buttons Button { min-width: 0; width: auto; }
    """
    NARROW_WIDTH = 100
    NARROW_HEIGHT = 32
    """Below either, the fields and buttons are one line high, so all of it fits 80x24."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j", "start", "Start", id="dwh.backfill.start", priority=True),
        Binding("ctrl+t", "cancel_backfill", "Cancel", id="dwh.backfill.cancel", priority=True),
        Binding("escape", "close", "Close", id="dwh.backfill.close"),
    ]

    def __init__(
        self,
        job: str,
        template: str,
        *,
        new_backfill_id: Callable[[], str] = new_backfill_id,
    ) -> None:
        super().__init__()
        self.job = job
        self.template = template
        self.new_backfill_id = new_backfill_id
        self.plan: BackfillPlan | None = None
        self.result: BackfillResult | None = None
        self.message = ""
        self._backfill: Backfill | None = None
        self._generation = 0
        self._done = 0
        self._dates: list[DatePlan] = []

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="backfill"):
            yield Label(
                f"Backfill {self.job}: one run per date, in order, from the editor's config"
            )
            with Horizontal(classes="bf-row"):
                yield Label("from")
                yield Input(placeholder="YYYY-MM-DD", id="bf-from")
                yield Label("to")
                yield Input(placeholder="YYYY-MM-DD", id="bf-to")
                yield Label("date field")
                yield Input(value=DEFAULT_DATE_FIELD, id="bf-field")
            with Horizontal(classes="bf-row"):
                yield Checkbox("backwards", id="bf-backwards")
                yield Checkbox("keep going", id="bf-keep-going")
                yield Label("reprocess")
                yield Select(
                    [(rule.value, rule.value) for rule in Reprocess],
                    value=Reprocess.FAILED.value,
                    allow_blank=False,
                    id="bf-reprocess",
                )
            with Horizontal(classes="bf-row"):
                yield Label("engine")
                yield Select(_ENGINES, value=AUTO, allow_blank=False, id="bf-engine")
            yield Static("", id="bf-message", markup=False)
            yield ProgressBar(total=None, show_eta=False, id="bf-progress")
            table: DataTable[Any] = DataTable(id="bf-dates", cursor_type="row", zebra_stripes=True)
            for label, key in _COLUMNS:
                table.add_column(label, key=key)
            yield table
            yield Static("", id="bf-config", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Start (ctrl+j)", id="bf-start", variant="success", disabled=True)
                yield Button("Cancel (ctrl+t)", id="bf-cancel", variant="error", disabled=True)
                yield Button("Close (esc)", id="bf-close")

    def on_resize(self) -> None:
        """Below 100x32, one-line fields and buttons (Textual's compact style)."""
        narrow = self.size.width < self.NARROW_WIDTH or self.size.height < self.NARROW_HEIGHT
        self.set_class(narrow, "-narrow")
        for widget in self.query("Input, Select, Checkbox, Button"):
            widget.compact = narrow  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        """Plan once, so the first message says what to enter."""
        self.query_one("#bf-from", Input).focus()
        self.replan()

    # -- the plan (the dry run) -----------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a backfill is running now."""
        return self._backfill is not None

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _field_changed(self, event: Input.Changed | Checkbox.Changed | Select.Changed) -> None:
        if event.control.id != "bf-keep-going" and event.control.id != "bf-engine":
            self.replan()

    def replan(self) -> None:
        """Plan again from the fields (in a thread); Start waits for the new plan."""
        if self.running:
            return
        self._generation += 1
        self.plan = None
        self.result = None
        self._sync_buttons()
        date_from = self.query_one("#bf-from", Input).value.strip()
        date_to = self.query_one("#bf-to", Input).value.strip()
        if not date_from or not date_to:
            self._show_message("Enter from and to (YYYY-MM-DD, both included) to preview.")
            self._fill_table([])
            return
        self._plan(
            self._generation,
            date_from,
            date_to,
            self.query_one("#bf-field", Input).value.strip() or None,
            self.query_one("#bf-backwards", Checkbox).value,
            str(self.query_one("#bf-reprocess", Select).value),
        )

    @work(thread=True, exclusive=True, group="backfill-plan", exit_on_error=False)
    def _plan(
        self,
        generation: int,
        date_from: str,
        date_to: str,
        date_field: str | None,
        backwards: bool,
        reprocess: str,
    ) -> None:
        try:
            plan = plan_backfill(
                self.job,
                self.template,
                date_from,
                date_to,
                date_field=date_field,
                backwards=backwards,
                reprocess=reprocess,
                backfill_id="(assigned on start)",
            )
        except DwhError as err:
            self.app.call_from_thread(self._planned, generation, None, str(err))
            return
        except Exception as exc:  # the job's own code, a store that cannot be read
            message = f"cannot plan the backfill: {type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._planned, generation, None, message)
            return
        self.app.call_from_thread(self._planned, generation, plan, "")

    def _planned(self, generation: int, plan: BackfillPlan | None, error: str) -> None:
        if generation != self._generation or self.running:
            return  # a newer plan is on its way
        self.plan = plan
        if plan is None:
            self._show_message(error, error=True)
            self._fill_table([])
        else:
            runs, skipped = len(plan.to_run), len(plan.skipped)
            self._show_message(
                f"{len(plan.dates)} dates: {runs} to run, {skipped} skipped "
                f"(reprocess {plan.reprocess.value}). Nothing has run yet; Start runs them."
            )
            self._fill_table(plan.dates)
        self._sync_buttons()

    def _fill_table(self, dates: list[DatePlan]) -> None:
        table: DataTable[Any] = self.query_one("#bf-dates", DataTable)
        table.clear()
        self._dates = dates
        for date in dates:
            table.add_row(
                date.day.isoformat(),
                _styled(date.latest_status),
                "run" if date.run else "skip",
                "",
                "",
                "",
                key=date.day.isoformat(),
            )
        progress = self.query_one("#bf-progress", ProgressBar)
        progress.update(total=len([d for d in dates if d.run]) or None, progress=0)
        self._show_config(dates[0] if dates else None)

    @on(DataTable.RowHighlighted, "#bf-dates")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        chosen = [d for d in self._dates if d.day.isoformat() == event.row_key.value]
        self._show_config(chosen[0] if chosen else None)

    def _show_config(self, date: DatePlan | None) -> None:
        text = ""
        if date is not None:
            resolved = json.dumps(redact_config(date.config), default=str)
            text = f"{date.day.isoformat()} runs with {resolved}"
        self.query_one("#bf-config", Static).update(text)

    # -- running --------------------------------------------------------------------

    def action_start(self) -> None:
        """Run the planned dates, one child process each, and follow them."""
        if self.plan is None or self.running:
            self.notify("Start needs a valid plan and no backfill running.", severity="warning")
            return
        plan = dataclasses.replace(self.plan, backfill_id=self.new_backfill_id())
        engine = str(self.query_one("#bf-engine", Select).value)
        path = log_path(plan.backfill_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        log = path.open("a", encoding="utf-8")
        self._backfill = Backfill(
            plan,
            engine=None if engine == AUTO else engine,
            keep_going=self.query_one("#bf-keep-going", Checkbox).value,
            stderr=log,  # never this terminal: the child's output would break the screen
            on_start=lambda date: self.app.call_from_thread(self._date_started, date),
            on_finish=lambda date: self.app.call_from_thread(self._date_finished, date),
        )
        self._done = 0
        self.query_one("#bf-progress", ProgressBar).update(total=len(plan.to_run), progress=0)
        self._show_message(f"Backfill {plan.backfill_id} started; its dates' output: {path}")
        self._sync_buttons()
        self._run(self._backfill, log)

    @work(thread=True, exclusive=True, group="backfill-run", exit_on_error=False)
    def _run(self, backfill: Backfill, log: IO[str]) -> None:
        try:
            result = backfill.run()
        except Exception as exc:  # shown, never a crash of the app
            self.app.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        finally:
            log.close()
        self.app.call_from_thread(self._finished, result)

    def _date_started(self, date: DatePlan) -> None:
        self._set_cell(date.day.isoformat(), "status", _styled(RunStatus.RUNNING))
        total = len(self.plan.to_run) if self.plan else 0
        self._show_message(f"Running {date.day.isoformat()} ({self._done + 1}/{total})")

    def _date_finished(self, date: DateResult) -> None:
        key = date.day.isoformat()
        self._set_cell(key, "status", _styled(date.status))
        self._set_cell(key, "seconds", "" if date.seconds is None else f"{date.seconds:.1f}")
        self._set_cell(key, "rows", "" if date.output_rows is None else f"{date.output_rows:,}")
        self._done += 1
        self.query_one("#bf-progress", ProgressBar).update(progress=self._done)

    def _set_cell(self, row: str, column: str, value: str | Text) -> None:
        table: DataTable[Any] = self.query_one("#bf-dates", DataTable)
        if row in table.rows:
            table.update_cell(row, column, value, update_width=True)

    def _finished(self, result: BackfillResult) -> None:
        self._backfill = None
        self.result = result
        self.plan = None  # its latest runs are out of date: a change of a field plans again
        for date in result.dates:
            if date.status not in (RunStatus.SUCCEEDED, RunStatus.FAILED):
                self._set_cell(date.day.isoformat(), "status", _styled(date.status))
        counts = ", ".join(
            f"{result.count(status)} {status}"
            for status in dict.fromkeys(d.status for d in result.dates)
        )
        ended = "cancelled" if result.cancelled else "finished"
        self._show_message(
            f"Backfill {result.backfill_id} {ended} in {result.seconds:.1f}s: {counts} "
            f"(exit {result.exit_code}). Change a field to plan again.",
            error=result.exit_code != 0,
        )
        self._sync_buttons()

    def _failed(self, message: str) -> None:
        self._backfill = None
        self.plan = None
        self._show_message(f"The backfill stopped: {message}", error=True)
        self._sync_buttons()

    def action_cancel_backfill(self) -> None:
        """Cancel: the date running now ends as cancelled, no more dates start."""
        if self._backfill is None:
            self.notify("No backfill running.", severity="warning")
            return
        self._backfill.cancel()
        self._show_message("Cancelling: the current date ends as cancelled, no more start.")

    def action_close(self) -> None:
        """Close the dialog (not while a backfill runs: cancel it first)."""
        if self.running:
            self.notify("A backfill is running: cancel it (ctrl+t) first.", severity="warning")
            return
        self.dismiss(None)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {
            "bf-start": self.action_start,
            "bf-cancel": self.action_cancel_backfill,
            "bf-close": self.action_close,
        }
        if event.button.id in actions:
            actions[event.button.id]()

    # -- state ------------------------------------------------------------------------

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message = text
        widget = self.query_one("#bf-message", Static)
        widget.update(text)
        widget.set_class(error, "error")

    def _sync_buttons(self) -> None:
        can_start = self.plan is not None and bool(self.plan.to_run) and not self.running
        self.query_one("#bf-start", Button).disabled = not can_start
        self.query_one("#bf-cancel", Button).disabled = not self.running
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out Start without a valid plan (or while running), Cancel while idle."""
        if action == "start":
            ready = self.plan is not None and bool(self.plan.to_run) and not self.running
            return True if ready else None
        if action == "cancel_backfill":
            return True if self.running else None
        return True


def _styled(status: str) -> Text:
    return Text(status, style=_STYLE.get(status, "dim" if status == "never" else ""))

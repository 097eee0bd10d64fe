"""A run drill-down: timeline, progress, lineage, outputs, checks, diff, config, log, Spark UI.

Everything comes from the run store (the run's row, its events, and the rows of the
runs it triggered) and, for a run the launcher started, its stored process log
(:mod:`dwh.runs.logs`). Each run in the lineage is one key away (enter opens it here
too), each output one key away from its preview, and a failed check's sample rows one
key away (``f``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rich.highlighter import Highlighter
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import (
    DataTable,
    Footer,
    Header,
    Input,
    Log,
    Static,
    TabbedContent,
    TabPane,
)

from dwh.events import EventName, parse_time
from dwh.runs.logs import read_log
from tui.checks import CHECK_STYLE, audits_from_events, check_counts, failing_samples
from tui.history import format_duration, format_time
from tui.screens.opener import OpensScreens
from tui.screens.preview import PreviewScreen
from tui.widgets.diff_view import DiffView
from tui.widgets.messages import ask_failing_rows

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.events import Event

UI_URL_KEYS: tuple[str, ...] = ("spark_ui_url", "ui_url", "spark_ui")
"""Payload keys under which a run may record its Spark UI address."""

LOG_SHOWN_LINES = 2000
"""The most log lines the Log tab writes: the last ones that match the search."""

MATCH_STYLE = "bold black on yellow"

NO_STORED_LOG = (
    "No process log was stored for this run: the launcher stores one for the runs it "
    "starts (the TUI, dwh run --follow, triggers, backfills); runs from spark-submit, a "
    "notebook or a plain dwh run keep their output where they ran. Searching the "
    "recorded events instead:"
)


class RunSource(Protocol):
    """What the drill-down reads: ``dwh.runs.store.RunStore`` satisfies it."""

    def get(self, run_id: str) -> Any:
        """One run, or None."""
        ...

    def events(self, run_id: str) -> list[Event]:
        """A run's events, oldest first."""
        ...

    def children(self, run_id: str) -> list[Any]:
        """The runs it triggered."""
        ...


class RunDetailScreen(OpensScreens):
    """Everything the store knows about one run.

    Args:
        store: The run store (read only).
        run_id: The run to show.
    """

    DEFAULT_CSS = """
    RunDetailScreen #detail-head { padding: 0 1; height: auto; }
    RunDetailScreen #detail-log-search { margin: 0 0 0 0; }
    RunDetailScreen #detail-log-status { padding: 0 1; height: auto; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="dwh.run_detail.close"),
        Binding("p", "preview", "Preview", id="dwh.run_detail.preview", tooltip="Preview outputs"),
        Binding("u", "upstream", "Upstream", id="dwh.run_detail.upstream", tooltip="Upstream run"),
        Binding("f", "failing_rows", "Failing rows", id="dwh.run_detail.failing_rows"),
        Binding("ctrl+f", "search", "Search log", id="dwh.run_detail.search"),
    ]

    def __init__(self, store: RunSource, run_id: str) -> None:
        super().__init__()
        self.store = store
        self.run_id = run_id
        self.record: Any = store.get(run_id)
        self.events: list[Event] = list(store.events(run_id)) if self.record else []
        self.triggered: list[Any] = list(store.children(run_id)) if self.record else []
        self.audits: list[dict[str, Any]] = audits_from_events(self.events)
        """The run's ``checks_finished`` payloads, one per audited output."""
        self.event_lines: list[str] = [json.dumps(e.to_dict(), default=str) for e in self.events]
        self.stored_log: list[str] | None = None
        """The run's stored process log, read when the Log tab shows; None: none stored."""
        self.log_lines: list[str] = self.event_lines
        self._lower_lines: list[str] = [line.lower() for line in self.log_lines]
        self.matches = 0
        """How many log lines match the search (all of them, shown or not)."""
        self.shown_log: list[str] = []
        """The lines the Log tab shows: the last :data:`LOG_SHOWN_LINES` matches."""

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(self._head(), id="detail-head")
        with TabbedContent(id="detail-tabs"):
            with TabPane("Timeline", id="detail-timeline"):
                yield DataTable(id="detail-events", cursor_type="row")
                yield Static("", id="detail-progress")
            with TabPane("Lineage", id="detail-lineage"):
                yield DataTable(id="detail-runs", cursor_type="row")
            with TabPane("Outputs", id="detail-outputs"):
                yield DataTable(id="detail-output-table", cursor_type="row")
            with TabPane("Checks", id="detail-checks"):
                yield Static("", id="detail-checks-head")
                yield DataTable(id="detail-check-table", cursor_type="row")
            with TabPane("Diff", id="detail-diff"):
                yield DiffView(self.run_id, self.outputs, id="detail-diff-table")
            with TabPane("Config", id="detail-config"):
                yield Static(self._config(), id="detail-config-json")
            with TabPane("Log", id="detail-log"), Vertical():
                yield Input(placeholder="search the log", id="detail-log-search")
                yield Static("", id="detail-log-status")
                yield Log(id="detail-log-lines", highlight=True, auto_scroll=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the tables."""
        self.sub_title = f"run {self.run_id}"
        self._fill_timeline()
        self._fill_lineage()
        self._fill_outputs()
        self._fill_checks()

    @on(TabbedContent.TabActivated, "#detail-tabs")
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        # Read when its tab shows: a big log costs nothing until asked for.
        if event.pane.id == "detail-log":
            self._load_log()
            self._fill_log(self.query_one("#detail-log-search", Input).value)

    @on(Input.Changed, "#detail-log-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill_log(event.value)

    @on(DataTable.RowSelected, "#detail-runs")
    def _open_run(self, event: DataTable.RowSelected) -> None:
        event.stop()
        run_id = str(event.row_key.value)
        if run_id != self.run_id:
            self.app.push_screen(RunDetailScreen(self.store, run_id))

    @on(DataTable.RowSelected, "#detail-output-table")
    def _open_output(self, event: DataTable.RowSelected) -> None:
        event.stop()
        name = str(event.row_key.value)
        outputs = self.outputs
        self.app.push_screen(
            PreviewScreen({name: outputs[name]}, title=f"run {self.run_id} {name}")
        )

    @property
    def outputs(self) -> dict[str, str]:
        """The outputs the run recorded, name to path."""
        return dict(getattr(self.record, "outputs", None) or {})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out the keys of what this run has not got; hide Failing rows if none."""
        if action == "failing_rows":
            return bool(failing_samples(self.audits))
        if action == "preview":
            return True if self.outputs else None
        if action == "upstream":
            return True if getattr(self.record, "triggered_by_run_id", None) else None
        return True

    def action_close(self) -> None:
        """Back to the history."""
        self.dismiss(None)

    def action_preview(self) -> None:
        """Preview the run's outputs, one tab each."""
        if not self.outputs:
            self.notify("this run recorded no outputs", severity="warning")
            return
        self.app.push_screen(PreviewScreen(self.outputs, title=f"run {self.run_id}"))

    def action_upstream(self) -> None:
        """Open the run that triggered this one."""
        upstream = getattr(self.record, "triggered_by_run_id", None)
        if not upstream or self.store.get(upstream) is None:
            self.notify("no upstream run in the store", severity="warning")
            return
        self.app.push_screen(RunDetailScreen(self.store, upstream))

    def action_failing_rows(self) -> None:
        """Show the sample rows of the checks that failed or warned, one tab each."""
        ask_failing_rows(self, self.audits, self.run_id)

    def action_search(self) -> None:
        """Show the log and focus its search box."""
        self.query_one("#detail-tabs", TabbedContent).active = "detail-log"
        self.query_one("#detail-log-search", Input).focus()

    def _head(self) -> Text:
        record = self.record
        if record is None:
            return Text(f"no run {self.run_id} in the run store", style="red")
        text = Text()
        text.append(f"{record.job}  ", style="bold")
        text.append(
            f"{record.status}  ", style="bold green" if record.status == "succeeded" else "bold red"
        )
        text.append(f"run {record.run_id}  started {format_time(record.started_at)}  ")
        text.append(f"took {format_duration(record.duration_seconds) or '-'}")
        if record.error:
            text.append(f"\nerror: {record.error}", style="red")
        url = self.spark_ui_url()
        text.append("\nSpark UI: ", style="dim")
        text.append(url or "not recorded for this run", style=f"link {url}" if url else "dim")
        return text

    def spark_ui_url(self) -> str | None:
        """The Spark UI address a run event recorded, if any."""
        for event in self.events:
            for key in UI_URL_KEYS:
                if event.payload.get(key):
                    return str(event.payload[key])
        return None

    def _config(self) -> Syntax | Text:
        if self.record is None:
            return Text("")
        return Syntax(json.dumps(self.record.config, indent=2), "json", background_color="default")

    def _fill_timeline(self) -> None:
        table: DataTable[str | Text] = self.query_one("#detail-events", DataTable)
        table.add_columns("at (UTC)", "+s", "event", "phase", "seconds", "rows")
        start = parse_time(self.events[0].at).timestamp() if self.events else 0.0
        for event in self.events:
            if event.event == EventName.SPARK_PROGRESS:
                continue
            payload = event.payload
            table.add_row(
                format_time(event.at)[11:],
                f"{parse_time(event.at).timestamp() - start:.1f}",
                event.event,
                _what(event),
                _text(payload.get("seconds")),
                _text(payload.get("rows")),
            )
        self.query_one("#detail-progress", Static).update(self._progress())

    def _progress(self) -> Text:
        last: dict[int, dict[str, Any]] = {}
        for event in self.events:
            if event.event == EventName.SPARK_PROGRESS:
                last[int(event.payload.get("stage_id", -1))] = event.payload
        if not last:
            return Text("\nno Spark progress recorded for this run", style="dim")
        text = Text("\nSpark stages (last progress of each)\n", style="bold")
        for stage, payload in sorted(last.items()):
            done, total = payload.get("tasks_done", 0), payload.get("tasks_total", 0)
            text.append(
                f"  stage {stage}: {done}/{total} tasks done, "
                f"{payload.get('tasks_running', 0)} running, "
                f"{payload.get('tasks_failed', 0)} failed\n",
                style="" if not payload.get("tasks_failed") else "red",
            )
        return text

    def _fill_lineage(self) -> None:
        table: DataTable[str] = self.query_one("#detail-runs", DataTable)
        table.add_columns("relation", "job", "run id", "status", "started (UTC)")
        record = self.record
        if record is None:
            return
        upstream = record.triggered_by_run_id
        if upstream:
            parent = self.store.get(upstream)
            table.add_row(
                "triggered by",
                record.triggered_by_job or "?",
                upstream,
                parent.status if parent else "not in store",
                format_time(parent.started_at) if parent else "",
                key=upstream,
            )
        table.add_row(
            "this run",
            record.job,
            record.run_id,
            record.status,
            format_time(record.started_at),
            key=record.run_id,
        )
        for child in self.triggered:
            table.add_row(
                "triggered",
                child.job,
                child.run_id,
                child.status,
                format_time(child.started_at),
                key=child.run_id,
            )

    def _fill_outputs(self) -> None:
        table: DataTable[str | Text] = self.query_one("#detail-output-table", DataTable)
        table.add_columns("output", "path")
        for name, path in self.outputs.items():
            table.add_row(Text(name), Text(path), key=name)

    def _fill_checks(self) -> None:
        table: DataTable[str | Text] = self.query_one("#detail-check-table", DataTable)
        table.add_columns("output", "check", "severity", "status", "failing rows")
        head = Text()
        for audit in self.audits:
            checks = audit.get("checks") or []
            head.append(f"{audit.get('output', '?')}: ", style="bold")
            head.append(f"{check_counts(checks)}\n")
            for check in checks:
                status = str(check.get("status", "?"))
                table.add_row(
                    Text(str(audit.get("output", "?"))),
                    Text(str(check.get("name", "?"))),
                    str(check.get("severity", "")),
                    Text(status, style=CHECK_STYLE.get(status, "")),
                    f"{check.get('failing_rows', 0):,}",
                )
        if not self.audits:
            head.append("no output of this run was audited", style="dim")
        elif failing_samples(self.audits):
            head.append("f shows the failing rows", style="dim")
        self.query_one("#detail-checks-head", Static).update(head)

    def _load_log(self) -> None:
        """Read the stored log again (a live run's grows); the events when there is none."""
        stored = read_log(self.run_id) if self.record is not None else None
        if stored is None and self.stored_log is None:
            return  # still the events, already in place
        self.stored_log = stored
        self.log_lines = self.event_lines if stored is None else stored
        self._lower_lines = [line.lower() for line in self.log_lines]

    def _fill_log(self, search: str) -> None:
        log = self.query_one("#detail-log-lines", Log)
        log.clear()
        needle = search.strip()
        if needle:
            lowered = needle.lower()
            matching = [
                line
                for line, lower in zip(self.log_lines, self._lower_lines, strict=True)
                if lowered in lower
            ]
        else:
            matching = self.log_lines
        self.matches = len(matching)
        self.shown_log = matching[-LOG_SHOWN_LINES:]
        self.query_one("#detail-log-status", Static).update(self._log_status(needle))
        log.highlighter = _MatchHighlighter(needle)
        log.write_lines(self.shown_log)

    def _log_status(self, needle: str) -> Text:
        text = Text()
        if self.stored_log is None:
            text.append(NO_STORED_LOG + "\n", style="dim")
        source = "process log" if self.stored_log is not None else "recorded events"
        total = len(self.log_lines)
        text.append(
            f"{source}: {self.matches:,} of {total:,} lines match {needle!r}"
            if needle
            else f"{source}: {total:,} lines"
        )
        if self.matches > len(self.shown_log):
            text.append(f"; showing the last {len(self.shown_log):,}")
        return text


class _MatchHighlighter(Highlighter):
    """Marks each case-insensitive occurrence of the search in a log line."""

    def __init__(self, needle: str) -> None:
        self.needle = needle

    def highlight(self, text: Text) -> None:
        if self.needle:
            text.highlight_words([self.needle], MATCH_STYLE, case_sensitive=False)


def _what(event: Event) -> Text:
    """The timeline's phase column: the phase, or an audited output and its counts."""
    if event.event == EventName.CHECKS_FINISHED:
        checks = event.payload.get("checks") or []
        style = "green" if event.payload.get("passed") else "red"
        return Text(f"{event.payload.get('output', '?')}: {check_counts(checks)}", style=style)
    return Text(str(event.payload.get("phase", "")))


def _text(value: object) -> str:
    return "" if value is None else str(value)

"""What a run changed in an output: schema diff, counts, per-column bars, sample rows.

The diff is :func:`dwh.diff.diff` against the version the run replaced, read with
pyarrow in a thread worker, never with Spark. One tab per output when the run wrote
several.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, Tab, Tabs

from dwh.errors import DwhError

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.diff import Diff

SAMPLE_ROWS = 20
"""How many sample changed rows the screen shows."""
BAR_WIDTH = 30


class DiffScreen(Screen[None]):
    """One output's diff against its baseline; tabs switch between the run's outputs.

    Args:
        run_id: The run whose outputs to diff.
        outputs: Their names, the first shown first.
        key: Columns that identify a row; by default the job's (see :mod:`dwh.diff`).
    """

    DEFAULT_CSS = """
    DiffScreen #diff-head { padding: 0 1; height: auto; }
    DiffScreen #diff-columns { padding: 0 1; height: auto; }
    DiffScreen #diff-samples { height: auto; max-height: 24; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="dwh.diff.close"),
    ]

    def __init__(self, run_id: str, outputs: list[str], *, key: Sequence[str] = ()) -> None:
        super().__init__()
        self.run_id = run_id
        self.key = tuple(key)
        self.output_names = list(outputs)
        self.current = self.output_names[0] if self.output_names else ""
        self.found: Diff | None = None
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Tabs(*(Tab(name, id=f"diff-{i}") for i, name in enumerate(self.output_names)))
        with VerticalScroll():
            yield Static(Text("computing the diff ...", style="dim"), id="diff-head")
            yield Static("", id="diff-columns")
            yield DataTable(id="diff-samples", cursor_type="row")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start with the first output."""
        self.sub_title = f"run {self.run_id}: what changed"
        if len(self.output_names) < 2:
            self.query_one(Tabs).display = False
        if self.current:
            self._load(self.current)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        """Show the picked output's diff."""
        name = str(event.tab.label_text)
        if name != self.current or (self.found is None and not self.problem):
            self.current = name
            self._load(name)

    def action_close(self) -> None:
        """Back to where the diff was asked for."""
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self, name: str) -> None:
        from dwh.diff import diff

        try:
            found: Diff | None = diff(
                self.run_id, output=name, key=self.key or None, limit=SAMPLE_ROWS
            )
            problem = ""
        except DwhError as err:
            found, problem = None, f"{type(err).__name__}: {err}"
        self.app.call_from_thread(self._show, name, found, problem)

    def _show(self, name: str, found: Diff | None, problem: str) -> None:
        if name != self.current:
            return
        self.found, self.problem = found, problem
        head = self.query_one("#diff-head", Static)
        table = self.query_one("#diff-samples", DataTable)
        table.clear(columns=True)
        if found is None:
            head.update(Text(problem, style="red"))
            self.query_one("#diff-columns", Static).update("")
            return
        head.update(_head(found))
        self.query_one("#diff-columns", Static).update(_bars(found))
        _fill_samples(table, found)


def _head(found: Diff) -> Text:
    text = Text()
    text.append(found.summary_line(found.output) + "\n", style="bold")
    for side in (found.old, found.new):
        where = (
            "previous version (kept hidden beside it)" if side.label == "previous" else side.path
        )
        run = f"run {side.run_id}" if side.run_id else "run unknown"
        text.append(f"{side.label:>9}  ", style="cyan")
        text.append(f"{side.rows:>9,} rows  {side.format:<8} {run:<34} {where}\n")
    if found.key:
        text.append(f"key: {', '.join(found.key)} ({found.key_source.description})\n")
    else:
        text.append("no key: whole rows compared as multisets\n", style="yellow")
    schema = found.schema
    text.append("schema: ")
    if not schema.changed:
        text.append("unchanged\n", style="dim")
    for name, kind in schema.added:
        text.append(f"+ {name} ({kind})  ", style="green")
    for name, kind in schema.removed:
        text.append(f"- {name} ({kind})  ", style="red")
    for name, old, new in schema.retyped:
        text.append(f"~ {name}: {old} → {new}  ", style="yellow")
    if schema.changed:
        text.append("\n")
    label = "in both" if found.key else "identical"
    text.append(
        f"rows: {found.only_old:,} only old, {found.only_new:,} only new, {found.both:,} {label}"
    )
    if found.key:
        text.append(f", {found.changed_rows:,} of them changed")
    return text


def _bars(found: Diff) -> Text:
    """One bar per compared column: the share of matched rows whose value changed."""
    if not found.columns:
        return Text("")
    width = max(len(c.name) for c in found.columns)
    text = Text("\nchanged per column\n", style="bold")
    for column in found.columns:
        filled = round(column.share * BAR_WIDTH)
        text.append(f"  {column.name:<{width}}  ")
        text.append("█" * filled, style="red" if column.changed else "")
        text.append("░" * (BAR_WIDTH - filled), style="dim")
        text.append(f"  {column.share:6.1%}  {column.changed:,}\n")
    return text


def _fill_samples(table: DataTable[Any], found: Diff) -> None:
    if not found.samples:
        return
    if found.key:
        table.add_columns(*found.key, "column", "old", "new")
        for sample in found.samples:
            keys = [_cell(v) for v in sample["key"].values()]
            for column in sample["new"]:
                table.add_row(
                    *keys,
                    column,
                    Text(_cell(sample["old"][column]), style="red"),
                    Text(_cell(sample["new"][column]), style="green"),
                )
        return
    names = list(found.samples[0]["row"])
    table.add_columns("side", *names)
    for sample in found.samples:
        row = sample["row"]
        table.add_row(sample["side"], *(_cell(row.get(n)) for n in names))


def _cell(value: object) -> str:
    return "null" if value is None else str(value)

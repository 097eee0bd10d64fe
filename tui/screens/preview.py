"""See what a run wrote: schema, exact row count and a sortable, filterable table of rows.

The data is read with pyarrow in a thread worker (:mod:`dwh.preview`), never with
Spark: the TUI does not import pyspark. A path pyarrow can't read (``s3://``) is
shown as a message pointing at ``dwh preview``, which can read it through Spark.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, Tab, Tabs

from dwh.preview import (
    FORMATS,
    SAMPLE_FORMAT,
    export_rows,
    find_layout,
    preview_path,
    preview_rows,
    value_counts,
)

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    from textual.app import ComposeResult

    from dwh.preview import Preview

_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
Loader = Callable[[str, int], "Preview"]
"""Reads a path's preview: ``(path, limit) -> Preview``."""

DEFAULT_ROWS = 200
"""Rows the screen reads and shows."""
REASON_COLUMN = "reject_reason"
"""A column counted over the whole dataset when present (``transform_images`` rejects)."""


class PreviewScreen(Screen[None]):
    """One tab per output; each shows its schema, row count and first rows.

    Args:
        outputs: Output name to path, as the run recorded them (or one path).
        title: What the header says (the run, say).
        limit: How many rows to read.
        loader: Reads a preview; :func:`dwh.preview.preview_path` by default.
        export_folder: Where exports go by default.
    """

    DEFAULT_CSS = """
    PreviewScreen #preview-summary { padding: 0 1; height: auto; }
    PreviewScreen #preview-body { height: 1fr; }
    PreviewScreen #preview-side { width: 36; padding: 0 1; border-right: vkey $foreground 20%; }
    PreviewScreen.-narrow #preview-side { width: 24; }
    PreviewScreen #preview-filter { margin: 0 0 0 1; }
    PreviewScreen #preview-table { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="dwh.preview.close"),
        Binding("ctrl+f", "filter", "Filter", id="dwh.preview.filter"),
        Binding("ctrl+s", "sort", "Sort column", id="dwh.preview.sort"),
        Binding("ctrl+e", "export", "Export", id="dwh.preview.export"),
        Binding("ctrl+b", "toggle_schema", "Schema", id="dwh.preview.toggle_schema"),
    ]
    HORIZONTAL_BREAKPOINTS = _BREAKPOINTS
    """Below 100 columns the schema pane narrows to 24 columns (ctrl+b hides it)."""

    class Loaded(Message):
        """A preview finished loading (or failed: ``error`` says why)."""

        def __init__(self, name: str, error: str = "") -> None:
            super().__init__()
            self.name = name
            self.error = error

    def __init__(
        self,
        outputs: Mapping[str, str],
        *,
        title: str = "",
        limit: int = DEFAULT_ROWS,
        loader: Loader = preview_path,
        export_folder: Path | None = None,
    ) -> None:
        super().__init__()
        self.outputs = dict(outputs)
        self.heading = title
        self.limit = limit
        self.loader = loader
        self.export_folder = export_folder or Path.cwd()
        self.current = next(iter(self.outputs), "")
        self.preview: Preview | None = None
        self.reasons: list[tuple[str, int]] = []
        self.error = ""
        self.columns: list[str] = []
        self.row_order: list[int] = []
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._rows: list[dict[str, Any]] = []

    @classmethod
    def for_samples(cls, samples: Mapping[str, Mapping[str, Any]], *, title: str) -> PreviewScreen:
        """The failing sample rows of checks, one tab per check (no file is read).

        Args:
            samples: Per check label, ``rows`` and ``failing_rows``
                (:func:`tui.checks.failing_samples`).
            title: What the header says.
        """
        kept = {label: dict(sample) for label, sample in samples.items()}

        def load(label: str, limit: int) -> Preview:
            sample = kept[label]
            first = list(sample.get("columns") or [])
            # The checked columns first: they say why each row failed.
            rows = [
                {**{c: row[c] for c in first if c in row}, **row}
                for row in list(sample["rows"])[:limit]
            ]
            return preview_rows(
                rows,
                path="as the run's checks_finished event kept them",
                row_count=sample.get("failing_rows"),
            )

        return cls({label: label for label in kept}, title=title, loader=load)

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        tabs = Tabs(*(Tab(Text(name), id=f"out-{i}") for i, name in enumerate(self.outputs)))
        tabs.display = len(self.outputs) > 1
        yield tabs
        yield Static(Text("loading...", style="dim"), id="preview-summary")
        with Horizontal(id="preview-body"):
            with VerticalScroll(id="preview-side"):
                yield Static("", id="preview-schema")
                yield Static("", id="preview-reasons")
            with Vertical():
                yield Input(
                    placeholder="filter: words match column names; column=text matches rows",
                    id="preview-filter",
                )
                table: DataTable[Any] = DataTable(id="preview-table", zebra_stripes=True)
                yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start reading the first output."""
        self.sub_title = self.heading or "preview"
        self._load(self.current)

    @on(Tabs.TabActivated)
    def _switch(self, event: Tabs.TabActivated) -> None:
        index = int(str(event.tab.id).rpartition("-")[2])
        name = list(self.outputs)[index]
        if name != self.current:
            self.current = name
            self._load(name)

    def _load(self, name: str) -> None:
        path = self.outputs.get(name, "")
        self.preview, self.reasons, self.error = None, [], ""
        self.query_one("#preview-summary", Static).update(
            Text(f"{name}: {path}  reading...", style="dim")
        )
        self._read(name, path)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _read(self, name: str, path: str) -> None:
        shown: Preview | None = None
        reasons: list[tuple[str, int]] = []
        error = ""
        try:
            # preview_path says when a path is remote (`dwh preview` reads it with Spark).
            shown = self.loader(path, self.limit)
            if shown.format != SAMPLE_FORMAT and any(c.name == REASON_COLUMN for c in shown.schema):
                reasons = value_counts(find_layout(path), REASON_COLUMN)
        except Exception as exc:  # a bad file is a message, never a crash
            error = str(exc)
        self.app.call_from_thread(self._show, name, shown, reasons, error)

    def _show(
        self, name: str, shown: Preview | None, reasons: list[tuple[str, int]], error: str
    ) -> None:
        if name != self.current:
            return
        self.preview, self.reasons, self.error = shown, reasons, error
        summary = self.query_one("#preview-summary", Static)
        if shown is None:
            summary.update(Text(f"{name}: {error}", style="red"))
            self.query_one("#preview-schema", Static).update("")
            self.query_one("#preview-reasons", Static).update("")
            self.query_one("#preview-table", DataTable).clear(columns=True)
            self.post_message(self.Loaded(name, error))
            return
        summary.update(_summary(name, shown))
        self.query_one("#preview-schema", Static).update(_schema_table(shown))
        self.query_one("#preview-reasons", Static).update(_reasons_table(reasons))
        self.sort_column, self.sort_reverse = None, False
        self._rows = shown.rows
        self._refill()
        self.query_one("#preview-table", DataTable).focus()
        self.post_message(self.Loaded(name))

    @on(Input.Changed, "#preview-filter")
    def _filter_changed(self) -> None:
        self._refill()

    @on(DataTable.HeaderSelected)
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def action_filter(self) -> None:
        """Focus the filter box."""
        self.query_one("#preview-filter", Input).focus()

    def action_sort(self) -> None:
        """Sort by the column under the cursor; again to reverse."""
        table = self.query_one("#preview-table", DataTable)
        if self.columns:
            self._sort_by(self.columns[table.cursor_column])

    def action_toggle_schema(self) -> None:
        """Hide the schema pane to give the rows the whole width, or show it again."""
        side = self.query_one("#preview-side")
        side.display = not side.display

    def action_close(self) -> None:
        """Back to where the preview was opened."""
        self.dismiss(None)

    def action_export(self) -> None:
        """Ask for a format and file, then write the rows shown (filtered, sorted)."""
        if self.preview is None:
            self.notify("nothing to export yet", severity="warning")
            return
        default = self.export_folder / f"{self.current or 'preview'}.csv"
        self.app.push_screen(ExportScreen(str(default)), self._export)

    def _export(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        fmt, target = choice
        try:
            written = export_rows(self.shown_table(), target, fmt)
        except Exception as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(f"wrote {len(self.row_order)} rows to {written}")

    def shown_table(self) -> pa.Table:
        """The rows and columns the table shows now, in its order, as Arrow."""
        if self.preview is None:
            raise ValueError("no preview loaded")
        return self.preview.table.take(self.row_order).select(self.columns)

    def _sort_by(self, column: str) -> None:
        if self.sort_column == column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self._refill()

    def _refill(self) -> None:
        """Rebuild the table from the preview, the filter and the sort."""
        table: DataTable[Any] = self.query_one("#preview-table", DataTable)
        table.clear(columns=True)
        if self.preview is None:
            return
        rows = self._rows
        names = [c.name for c in self.preview.schema]
        words, matches = _parse_filter(self.query_one("#preview-filter", Input).value, names)
        self.columns = [n for n in names if not words or any(w in n.lower() for w in words)]
        order = [
            i
            for i, row in enumerate(rows)
            if all(text in _cell(row.get(col)).lower() for col, text in matches)
        ]
        if self.sort_column in names:
            key = self.sort_column
            order.sort(key=lambda i: _sort_key(rows[i].get(key)), reverse=self.sort_reverse)
        self.row_order = order
        for name in self.columns:
            mark = ""
            if name == self.sort_column:
                mark = " ▼" if self.sort_reverse else " ▲"
            table.add_column(Text(name + mark), key=name)
        for i in order:
            # Text, not str: a DataTable reads str cells as markup, and data has brackets.
            table.add_row(*(Text(_cell(rows[i].get(name))) for name in self.columns), key=str(i))


class ExportScreen(ModalScreen[tuple[str, str] | None]):
    """Asks where to export the previewed rows, and as what."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dwh.dialog.cancel")
    ]

    def __init__(self, default_path: str) -> None:
        super().__init__()
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export the rows shown (filter and sort applied) as")
            yield Select(
                [(f, f) for f in FORMATS], value="csv", allow_blank=False, id="export-format"
            )
            yield Input(value=self.default_path, id="export-path")
            yield Label("enter writes · escape cancels", classes="hint")

    def on_mount(self) -> None:
        """Start in the file name."""
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#export-path", Input)
        stem, dot, suffix = box.value.rpartition(".")
        if dot and suffix in FORMATS:
            box.value = f"{stem}.{event.value}"

    @on(Input.Submitted, "#export-path")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        fmt = str(self.query_one("#export-format", Select).value)
        self.dismiss((fmt, event.value))

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(None)


def _summary(name: str, shown: Preview) -> Text:
    text = Text()
    text.append(f"{name}  ", style="bold")
    text.append(f"{shown.path}\n", style="dim")
    if shown.format == SAMPLE_FORMAT:
        text.append(f"{shown.row_count:,} failing rows", style="bold red")
        text.append(f"  · the check kept {shown.table.num_rows} of them", style="dim")
        return text
    text.append(f"{shown.row_count:,} rows", style="bold green")
    files = f" in {shown.files} files" if shown.files > 1 else ""
    text.append(f"  {shown.format}{files}")
    if shown.partition_columns:
        text.append(f"  partitioned by {', '.join(shown.partition_columns)}")
    text.append(f"  · showing the first {shown.table.num_rows}", style="dim")
    text.append("  · click a header or ctrl+s sorts", style="dim")
    return text


def _schema_table(shown: Preview) -> Table:
    table = Table(title="schema", title_justify="left", box=None, expand=True)
    table.add_column("column", style="cyan", no_wrap=True)
    table.add_column("type", style="dim")
    for column in shown.schema:
        table.add_row(Text(column.name), Text(column.type))
    return table


def _reasons_table(reasons: list[tuple[str, int]]) -> Table | str:
    if not reasons:
        return ""
    table = Table(title=f"\nrows per {REASON_COLUMN}", title_justify="left", box=None, expand=True)
    table.add_column(REASON_COLUMN, style="yellow", no_wrap=True)
    table.add_column("rows", justify="right")
    for reason, count in reasons:
        table.add_row(Text(reason), f"{count:,}")
    return table


def _parse_filter(text: str, names: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Split the filter into column-name words and ``column=text`` row matches."""
    words: list[str] = []
    matches: list[tuple[str, str]] = []
    for part in text.split():
        column, equals, value = part.partition("=")
        if equals and column in names:
            matches.append((column, value.lower()))
        elif not equals:
            words.append(part.lower())
    return words, matches


def _cell(value: object) -> str:
    return "null" if value is None else str(value)


def _sort_key(value: object) -> tuple[int, Any]:
    # None last; numbers by value; everything else by its text.
    if value is None:
        return (2, "")
    if isinstance(value, bool | int | float):
        return (0, value)
    return (1, str(value))

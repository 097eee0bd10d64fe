"""A job's docstring, config schema and example configs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from tui.skeleton import describe_type

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.registry import JobInfo
    from tui.catalog import JobDetail


class JobDetailView(VerticalScroll):
    """Shows what a job does and what its config takes; import errors go here too."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: JobDetail | None = None
        self.narrow = False

    def fit(self, *, narrow: bool) -> None:
        """Below 100 columns, each field's description goes on a line of its own."""
        self.narrow = narrow
        if self.detail is not None and self.detail.schema:
            self._set("#job-schema", schema_table(self.detail.schema, narrow=narrow))

    def compose(self) -> ComposeResult:
        hint = "Pick a job: F2 goes to the first job, ↑/↓ move, Enter opens it; ctrl+f filters."
        yield Static(Text(hint, style="dim"), id="job-title")
        yield Markdown("", id="job-doc")
        yield Static("", id="job-error")
        yield Static("", id="job-schema")
        yield Static("", id="job-examples")

    def show_loading(self, job: JobInfo) -> None:
        """Show the docstring at once, while the factory module is imported."""
        self.detail = None
        self._doc(job)
        self._set("#job-error", Text("loading config schema...", style="dim"))
        self._set("#job-schema", "")
        self._set("#job-examples", "")

    def show(self, detail: JobDetail) -> None:
        """Show a job's detail, or its error."""
        self.detail = detail
        self._doc(detail.job)
        notes = Text()
        if detail.error:
            notes.append("✘ this job cannot be used\n", style="bold red")
            notes.append(detail.error + "\n", style="red")
        for warning in detail.warnings:
            notes.append(f"⚠ {warning}\n", style="yellow")
        self._set("#job-error", notes)
        self._set(
            "#job-schema", schema_table(detail.schema, narrow=self.narrow) if detail.schema else ""
        )
        self._set("#job-examples", examples_text(detail.examples))

    def _doc(self, job: JobInfo) -> None:
        title = Text()
        title.append(job.name, style="bold")
        title.append(f"  {job.module}", style="dim")
        self._set("#job-title", title)
        self.query_one("#job-doc", Markdown).update(docstring_markdown(job.docstring))

    def _set(self, selector: str, content: Any) -> None:
        self.query_one(selector, Static).update(content)


_RST_ROLE = re.compile(r":[a-z:]+:`~?([^`]+)`")
_RST_LITERAL = re.compile(r"``(.+?)``")


def docstring_markdown(docstring: str) -> str:
    """A docstring (reST-flavoured, as Python's are) as Markdown for the ``Markdown`` widget.

    Double-backquoted literals and roles (``:func:`name```) become inline code. A
    paragraph ending in a double colon introduces the indented block after it, which
    Markdown already shows as code, so the colon pair becomes one.
    """
    text = docstring.strip() or "*(no docstring)*"
    text = _RST_ROLE.sub(r"`\1`", text)
    text = _RST_LITERAL.sub(r"`\1`", text)
    return re.sub(r"::$", ":", text, flags=re.MULTILINE)


def schema_table(schema: dict[str, Any], *, narrow: bool = False) -> Group:
    """A table of the config's fields: name, type, required, default, description.

    With ``narrow``, each description is a line of its own under its field, so it is
    never cut to "…" at 80 columns.
    """
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    if narrow:
        return Group(Text(""), _schema_lines(schema, defs, required))
    table = Table(title="config fields", title_justify="left", expand=True, box=None)
    table.add_column("field", style="cyan", no_wrap=True)
    table.add_column("type")
    table.add_column("required")
    table.add_column("default")
    table.add_column("description", ratio=1)
    for name, prop in schema.get("properties", {}).items():
        default = prop.get("default", "")
        table.add_row(
            name,
            describe_type(prop, defs),
            "yes" if name in required else "",
            "" if name in required else _show(default),
            prop.get("description", ""),
        )
    return Group(Text(""), table)


def _schema_lines(schema: dict[str, Any], defs: dict[str, Any], required: set[str]) -> Text:
    text = Text()
    text.append("config fields", style="bold italic")
    for name, prop in schema.get("properties", {}).items():
        text.append(f"\n{name}", style="cyan")
        text.append(f"  {describe_type(prop, defs)}")
        if name in required:
            text.append("  required", style="bold")
        else:
            text.append(f"  default {_show(prop.get('default', ''))}", style="dim")
        if prop.get("description"):
            text.append(f"\n    {prop['description']}")
    return text


def examples_text(examples: dict[str, dict[str, Any]]) -> Text:
    """The example config names, or how to add some."""
    text = Text("\nexample configs", style="bold")
    if not examples:
        text.append("\n  none (add JSON files under examples/configs/<job>/)", style="dim")
    for name in examples:
        text.append(f"\n  {name}")
    if examples:
        text.append("\n  open one with ctrl+o", style="dim")
    return text


def _show(value: Any) -> str:
    if value is None:
        return "null"
    return repr(value) if not isinstance(value, str) else f'"{value}"'

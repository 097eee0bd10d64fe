"""The JSON config editor, validated live against the job's config model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static, TextArea

from tui.validation import Problem, validate_config

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.config import JobConfig


class ConfigTextArea(TextArea):
    """The config's text area: Textual's code editor, plus ctrl+home and ctrl+end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+home", "document_start", "Go to line 1", id="dwh.editor.top", show=False),
        Binding("ctrl+end", "document_end", "Go to the end", id="dwh.editor.end", show=False),
        Binding("ctrl+shift+home", "document_start(True)", "Select to line 1", show=False),
        Binding("ctrl+shift+end", "document_end(True)", "Select to the end", show=False),
    ]

    def action_document_start(self, select: bool = False) -> None:
        """Move the cursor to the start of line 1 (selecting with ``select``)."""
        self.move_cursor(self.document.start, select=select)

    def action_document_end(self, select: bool = False) -> None:
        """Move the cursor to the end of the text (selecting with ``select``)."""
        self.move_cursor(self.document.end, select=select)


def editor_key_rows(taken: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(keys, id, description)`` of every key the config editor honours.

    Args:
        taken: Key to the description of the screen binding that has it first (a
            priority binding, such as ``ctrl+k``: Run cold); such a key is listed as
            taken, so nobody presses it expecting the editor's action.
    """
    rows = []
    bindings = [*ConfigTextArea.BINDINGS, *TextArea.BINDINGS]
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        keys = [key for key in binding.key.split(",") if not key.startswith("super+")]
        free = [key for key in keys if key not in taken]
        description = binding.description or binding.action
        if not free:
            owner = ", ".join(f"{key}: {taken[key]}" for key in keys)
            description += f" (not in the editor: {owner} has the key)"
            free = keys
        rows.append((", ".join(free), binding.id or "", description))
    return rows


def editor_actions() -> set[str]:
    """The actions of the config editor's own keys (to tell them from the screen's)."""
    bindings = [*ConfigTextArea.BINDINGS, *TextArea.BINDINGS]
    return {b.id or b.action for b in bindings if isinstance(b, Binding)}


class ConfigEditor(Horizontal):
    """A JSON editor with syntax highlighting and a problems panel beside it.

    Every change is validated with the job's model; :attr:`problems` is empty
    exactly when the config would be accepted by the generic entry.
    """

    class Validated(Message):
        """The config was re-validated.

        Attributes:
            valid: Whether it can be run.
        """

        def __init__(self, valid: bool) -> None:
            super().__init__()
            self.valid = valid

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model: type[JobConfig] | None = None
        self.job = ""
        self.problems: list[Problem] = [Problem("no job selected")]

    def compose(self) -> ComposeResult:
        editor = ConfigTextArea.code_editor("", language="json", id="config-text")
        editor.border_title = "config"
        yield editor
        panel = Static(Text("Pick a job to edit its config.", style="dim"), id="config-problems")
        panel.border_title = "validation"
        yield panel

    @property
    def text(self) -> str:
        """The config text as typed."""
        return self.query_one("#config-text", TextArea).text

    @property
    def valid(self) -> bool:
        """Whether the config can be run."""
        return self.model is not None and not self.problems

    def load(self, model: type[JobConfig] | None, job: str, text: str, source: str) -> None:
        """Replace the text and the model it is checked against."""
        self.model = model
        self.job = job
        editor = self.query_one("#config-text", TextArea)
        editor.border_title = f"config · {job} · {source}"
        editor.load_text(text)
        # Line 1, so the first keys typed after F4 land where the user expects.
        editor.move_cursor(editor.document.start)
        editor.scroll_home(animate=False)
        self.validate()

    def set_text(self, text: str) -> None:
        """Replace the text as if typed (undo-able), then validate."""
        editor = self.query_one("#config-text", TextArea)
        editor.replace(text, editor.document.start, editor.document.end)
        self.validate()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """Validate as the user types."""
        event.stop()
        self.validate()

    def validate(self) -> None:
        """Check the text now and show the outcome."""
        if self.model is None:
            self.problems = [Problem("this job's config model is not available")]
        else:
            self.problems = validate_config(self.model, self.text, job=self.job)
        shown = problems_text(self.problems)
        panel = self.query_one("#config-problems", Static)
        if shown.plain != getattr(panel.content, "plain", None):
            panel.update(shown)  # re-laying out on every keystroke is costly
        self.set_class(not self.valid, "-invalid")
        self.post_message(self.Validated(self.valid))


def problems_text(problems: list[Problem]) -> Text:
    """The problems list as the panel shows it."""
    if not problems:
        return Text("✔ valid config\n\nctrl+j runs it", style="green")
    count = len(problems)
    text = Text(f"✘ {count} problem{'s' if count > 1 else ''}\n", style="bold red")
    for problem in problems:
        text.append("\n• ", style="red")
        if problem.where:
            text.append(f"{problem.where}: ", style="bold")
        text.append(problem.message + "\n")
    text.append("\nRun is disabled until the config is valid.", style="dim")
    return text

"""The JSON config editor, validated live against the job's config model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Static, TextArea

from tui.validation import Problem, validate_config

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.config import JobConfig


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
        editor = TextArea.code_editor("", language="json", id="config-text")
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

"""The Config tab: the live-validated editor, its buttons, and what is done with a config.

The panel owns the config's own actions: a skeleton from the schema, save, open an
example or a saved config, and copy the production commands. The screen passes the
job in hand to each, and keeps the keys (so ``ctrl+s`` works from any tab). Where an
action needs a dialog, the panel posts a message and the screen opens the dialog; a
dialog's answer comes back to the panel (:meth:`ConfigPanel.save_as`,
:meth:`ConfigPanel.load_choice`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button

from dwh.devtools.production import production_commands
from dwh.redaction import redact_config
from tui.config_files import pretty_json
from tui.skeleton import skeleton_config
from tui.validation import parse_valid
from tui.widgets.config_editor import ConfigEditor

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.registry import JobInfo
    from tui.catalog import JobDetail
    from tui.config_files import ConfigLibrary


class _PanelRequest(Message):
    """A dialog the panel needs; the screen opens it and hands the answer to ``panel``."""

    def __init__(self, panel: ConfigPanel) -> None:
        super().__init__()
        self.panel = panel

    @property
    def control(self) -> ConfigPanel:
        """The panel that asks."""
        return self.panel


_BUTTONS = {
    "run": ("Run (ctrl+j)", "Run"),
    "save": ("Save (ctrl+s)", "Save"),
    "open": ("Open (ctrl+o)", "Open"),
    "copy": ("Prod command (ctrl+l)", "Prod command"),
}
"""Each button's label, wide and narrow."""


class ConfigPanel(Vertical):
    """The config editor with Run, Save, Open and Prod command buttons.

    Args:
        library: Where configs are saved and found.
    """

    class SaveConfigRequested(_PanelRequest):
        """Saving needs a name: the screen asks for one, then calls :meth:`save_as`.

        Attributes:
            panel: The panel that asks (the message's control).
            job: The job whose config is saved.
            folder: Where it is saved, shown in the dialog.
            default: The name the dialog offers.
        """

        def __init__(self, panel: ConfigPanel, job: str, folder: str, default: str) -> None:
            super().__init__(panel)
            self.job = job
            self.folder = folder
            self.default = default

    class OpenConfigRequested(_PanelRequest):
        """Opening needs a pick: the screen offers the choices, then calls :meth:`load_choice`.

        Attributes:
            panel: The panel that asks (the message's control).
            detail: The job whose configs are offered.
            title: The dialog's title.
            choices: The labels to pick from, such as ``example: small.json``.
        """

        def __init__(
            self, panel: ConfigPanel, detail: JobDetail, title: str, choices: list[str]
        ) -> None:
            super().__init__(panel)
            self.detail = detail
            self.title = title
            self.choices = choices

    class CommandsRequested(Message):
        """The production commands were copied: the screen shows them.

        Attributes:
            text: The commands as copied to the clipboard.
            shown: The commands as shown, secrets hidden.
        """

        def __init__(self, text: str, *, shown: str) -> None:
            super().__init__()
            self.text = text
            self.shown = shown

    def __init__(self, *, library: ConfigLibrary, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library

    def compose(self) -> ComposeResult:
        yield ConfigEditor(id="editor")
        with Horizontal(classes="buttons"):
            yield Button(_BUTTONS["run"][0], id="run", variant="success", disabled=True)
            for name in ("save", "open", "copy"):
                yield Button(_BUTTONS[name][0], id=name)

    def fit(self, *, narrow: bool) -> None:
        """Below 100 columns, one-line buttons without their keys (the footer has them)."""
        for name, (wide, short) in _BUTTONS.items():
            button = self.query_one(f"#{name}", Button)
            button.label = short if narrow else wide
            button.compact = narrow

    @property
    def editor(self) -> ConfigEditor:
        """The editor."""
        return self.query_one(ConfigEditor)

    def new(self, detail: JobDetail | None) -> bool:
        """Replace the config with a skeleton generated from the schema; False if none."""
        if detail is None or not detail.schema:
            self.notify("Pick a job with a config schema first.", severity="warning")
            return False
        skeleton = pretty_json(skeleton_config(detail.schema))
        self.editor.load(detail.config_model, detail.job.name, skeleton, "skeleton from schema")
        return True

    def save(self, job: JobInfo | None) -> None:
        """Ask for a name and save the config under ``$DWH_HOME/configs/<job>/``."""
        if job is None:
            self.notify("Pick a job first.", severity="warning")
            return
        folder = str(self.library.folder(job.name))
        self.post_message(self.SaveConfigRequested(self, job.name, folder, "config"))

    def save_as(self, job: str, chosen: str | None) -> None:
        """Save the config as ``chosen`` (the save dialog's answer; None: cancelled)."""
        if chosen is None:
            return
        try:
            path = self.library.save(job, chosen, self.editor.text)
        except (OSError, ValueError) as exc:
            self.notify(f"Not saved: {exc}", severity="error")
        else:
            self.notify(f"Saved {path}")

    def open(self, detail: JobDetail | None) -> None:
        """Offer the job's examples and saved configs; the pick goes to :meth:`load_choice`."""
        if detail is None:
            self.notify("Pick a job first.", severity="warning")
            return
        job, library = detail.job.name, self.library
        choices = [f"example: {name}" for name in detail.examples]
        choices += [f"saved: {name}" for name in library.names(job)]
        title = f"Open a config for {job} ({library.folder(job)})"
        self.post_message(self.OpenConfigRequested(self, detail, title, choices))

    def load_choice(self, detail: JobDetail, choice: str | None) -> bool:
        """Load the picked config (the open dialog's answer); True if it was loaded."""
        if choice is None:
            return False
        job = detail.job.name
        kind, name = choice.split(": ", 1)
        try:
            text = (
                pretty_json(detail.examples[name])
                if kind == "example"
                else self.library.load(job, name)
            )
        except OSError as exc:
            self.notify(f"Could not open {name}: {exc}", severity="error")
            return False
        self.editor.load(detail.config_model, job, text, choice)
        return True

    def copy_commands(self, detail: JobDetail | None) -> None:
        """Copy the equivalent spark-submit and papermill commands, and show them."""
        editor = self.editor
        if detail is None or not editor.valid:
            self.notify("Fix the config first: only a valid config is copied.", severity="error")
            return
        config = parse_valid(editor.text)
        job, module, spark = detail.job.name, detail.job.module, detail.needs_spark
        text = production_commands(job=job, module=module, config=config, has_spark=spark)
        self.app.copy_to_clipboard(text.as_text())
        # The clipboard holds a runnable command; the screen shows no secret (the
        # editor, where the user typed them, is the only place they appear).
        hidden = production_commands(
            job=job, module=module, config=redact_config(config), has_spark=spark
        )
        self.post_message(self.CommandsRequested(text.as_text(), shown=hidden.as_text()))

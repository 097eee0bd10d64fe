"""The Config tab: the live-validated editor, its buttons, and what is done with a config.

The panel owns the config's own actions: a skeleton from the schema, save, open an
example or a saved config, and copy the production commands. The screen passes the
job in hand to each, and keeps the keys (so ``ctrl+s`` works from any tab).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, Vertical
from textual.widgets import Button

from dwh.redaction import redact_config
from tui.config_files import pretty_json
from tui.production import production_commands
from tui.screens.dialogs import CommandsScreen, OpenConfigScreen, SaveConfigScreen
from tui.skeleton import skeleton_config
from tui.validation import parse_valid
from tui.widgets.config_editor import ConfigEditor

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult

    from dwh.registry import JobInfo
    from tui.catalog import JobDetail
    from tui.config_files import ConfigLibrary


class ConfigPanel(Vertical):
    """The config editor with Run, Save, Open and Prod command buttons.

    Args:
        library: Where configs are saved and found.
    """

    def __init__(self, *, library: ConfigLibrary, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library

    def compose(self) -> ComposeResult:
        yield ConfigEditor(id="editor")
        with Horizontal(classes="buttons"):
            yield Button("Run (ctrl+j)", id="run", variant="success", disabled=True)
            yield Button("Save (ctrl+s)", id="save")
            yield Button("Open (ctrl+o)", id="open")
            yield Button("Prod command (ctrl+l)", id="copy")

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
        name, library = job.name, self.library

        def save(chosen: str | None) -> None:
            if chosen is None:
                return
            try:
                path = library.save(name, chosen, self.editor.text)
            except (OSError, ValueError) as exc:
                self.notify(f"Not saved: {exc}", severity="error")
            else:
                self.notify(f"Saved {path}")

        self.app.push_screen(SaveConfigScreen(str(library.folder(name)), "config"), save)

    def open(self, detail: JobDetail | None, on_loaded: Callable[[], None]) -> None:
        """Pick an example or saved config and load it; then call ``on_loaded``."""
        if detail is None:
            self.notify("Pick a job first.", severity="warning")
            return
        job, library = detail.job.name, self.library
        choices = [f"example: {name}" for name in detail.examples]
        choices += [f"saved: {name}" for name in library.names(job)]

        def load(choice: str | None) -> None:
            if choice is None:
                return
            kind, name = choice.split(": ", 1)
            try:
                text = (
                    pretty_json(detail.examples[name])
                    if kind == "example"
                    else library.load(job, name)
                )
            except OSError as exc:
                self.notify(f"Could not open {name}: {exc}", severity="error")
                return
            self.editor.load(detail.config_model, job, text, choice)
            on_loaded()

        title = f"Open a config for {job} ({library.folder(job)})"
        self.app.push_screen(OpenConfigScreen(title, choices), load)

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
        self.app.push_screen(CommandsScreen(text.as_text(), shown=hidden.as_text()))

"""Config actions of the workspace: skeleton, save, open, copy the production command."""

from __future__ import annotations

from dwh.redaction import redact_config
from tui.config_files import pretty_json
from tui.production import production_commands
from tui.screens.dialogs import CommandsScreen, OpenConfigScreen, SaveConfigScreen
from tui.screens.workspace import Workspace
from tui.skeleton import skeleton_config
from tui.validation import parse_valid
from tui.widgets.config_editor import ConfigEditor


class ConfigActions(Workspace):
    """Shapes the config in the editor and takes it elsewhere."""

    def action_new(self) -> None:
        """Replace the config with a skeleton generated from the schema."""
        if self.detail is None or not self.detail.schema:
            self.notify("Pick a job with a config schema first.", severity="warning")
            return
        editor = self.query_one(ConfigEditor)
        editor.load(
            self.detail.config_model,
            self.detail.job.name,
            pretty_json(skeleton_config(self.detail.schema)),
            "skeleton from schema",
        )
        self.action_show_tab("tab-config")

    def action_save(self) -> None:
        """Ask for a name and save the config under ``$DWH_HOME/configs/<job>/``."""
        if self.job is None:
            self.notify("Pick a job first.", severity="warning")
            return
        job = self.job.name
        folder = self.dwh.library.folder(job)

        def save(name: str | None) -> None:
            if name is None:
                return
            try:
                path = self.dwh.library.save(job, name, self.query_one(ConfigEditor).text)
            except (OSError, ValueError) as exc:
                self.notify(f"Not saved: {exc}", severity="error")
            else:
                self.notify(f"Saved {path}")

        self.app.push_screen(SaveConfigScreen(str(folder), "config"), save)

    def action_open(self) -> None:
        """Pick an example or saved config and load it into the editor."""
        if self.job is None or self.detail is None:
            self.notify("Pick a job first.", severity="warning")
            return
        detail, job = self.detail, self.job.name
        choices = [f"example: {name}" for name in detail.examples]
        choices += [f"saved: {name}" for name in self.dwh.library.names(job)]

        def load(choice: str | None) -> None:
            if choice is None:
                return
            kind, name = choice.split(": ", 1)
            try:
                if kind == "example":
                    text = pretty_json(detail.examples[name])
                else:
                    text = self.dwh.library.load(job, name)
            except OSError as exc:
                self.notify(f"Could not open {name}: {exc}", severity="error")
                return
            self.query_one(ConfigEditor).load(detail.config_model, job, text, choice)
            self.action_show_tab("tab-config")

        title = f"Open a config for {job} ({self.dwh.library.folder(job)})"
        self.app.push_screen(OpenConfigScreen(title, choices), load)

    def action_copy_commands(self) -> None:
        """Copy the equivalent spark-submit and papermill commands, and show them."""
        editor = self.query_one(ConfigEditor)
        if self.job is None or self.detail is None or not editor.valid:
            self.notify("Fix the config first: only a valid config is copied.", severity="error")
            return
        config = parse_valid(editor.text)
        job, module, spark = self.job.name, self.job.module, self.detail.needs_spark
        text = production_commands(job=job, module=module, config=config, has_spark=spark)
        self.app.copy_to_clipboard(text.as_text())
        # The clipboard holds a runnable command; the screen shows no secret (the
        # editor, where the user typed them, is the only place they appear).
        hidden = production_commands(
            job=job, module=module, config=redact_config(config), has_spark=spark
        )
        self.app.push_screen(CommandsScreen(text.as_text(), shown=hidden.as_text()))

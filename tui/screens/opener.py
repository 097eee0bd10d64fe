"""The screens the widgets ask for, opened by the screen that holds them.

Widgets post messages (:mod:`tui.widgets.messages`, and their own); the main screen
and the run drill-down subclass :class:`OpensScreens`, which pushes the screen each
one asks for, so widgets never import screens (an import-linter contract). The screens are imported
when first opened: none is needed to start the TUI.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.screen import Screen

from tui.screens.dialogs import CommandsScreen, SaveConfigScreen

if TYPE_CHECKING:
    from tui.widgets.config_panel import ConfigPanel
    from tui.widgets.diff_view import DiffRequested
    from tui.widgets.messages import FailingRowsRequested, PreviewRequested

__all__ = ["OpensScreens"]


class OpensScreens(Screen[None]):
    """Opens the preview, the failing rows, the diff screen and the config dialogs."""

    def on_preview_requested(self, event: PreviewRequested) -> None:
        """A run's outputs (the history, the run console): the preview screen."""
        from tui.screens.preview import PreviewScreen

        self.app.push_screen(PreviewScreen(event.outputs, title=event.title))

    def on_failing_rows_requested(self, event: FailingRowsRequested) -> None:
        """A failed check's sample rows: the preview table, one tab per check."""
        from tui.screens.preview import PreviewScreen

        self.app.push_screen(PreviewScreen.for_samples(event.samples, title=event.title))

    def on_diff_requested(self, message: DiffRequested) -> None:
        """What a run changed in its outputs: the diff screen."""
        from tui.screens.diff import DiffScreen

        self.app.push_screen(DiffScreen(message.run_id, message.outputs))

    def on_config_panel_save_config_requested(self, event: ConfigPanel.SaveConfigRequested) -> None:
        """The name to save the config under: the save dialog."""
        dialog = SaveConfigScreen(event.folder, event.default)
        self.app.push_screen(dialog, partial(event.panel.save_as, event.job))

    def on_config_panel_commands_requested(self, event: ConfigPanel.CommandsRequested) -> None:
        """The production commands: shown in a dialog (they are on the clipboard)."""
        self.app.push_screen(CommandsScreen(event.text, shown=event.shown))

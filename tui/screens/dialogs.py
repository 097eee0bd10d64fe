"""Small modal dialogs: the production commands, saving and opening configs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult


class CommandsScreen(ModalScreen[None]):
    """Shows the production commands that were just copied to the clipboard."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "dismiss", "Close", id="dwh.dialog.close")
    ]

    def __init__(self, text: str, *, shown: str | None = None) -> None:
        super().__init__()
        self.text = text
        self.shown = text if shown is None else shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Copied to the clipboard: the same config, run the production way")
            yield Static(self.shown, id="commands-text", markup=False)
            hint = "escape closes"
            if self.shown != self.text:
                hint = "secret values are hidden here (***); the clipboard holds them · " + hint
            yield Label(hint, classes="hint")


class SaveConfigScreen(ModalScreen[str | None]):
    """Asks for the name to save the config under."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dwh.dialog.cancel")
    ]

    def __init__(self, folder: str, default: str) -> None:
        super().__init__()
        self.folder = folder
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Save the config in {self.folder}/ as")
            yield Input(value=self.default, placeholder="name", id="save-name")
            yield Label("enter saves · escape cancels", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter saves under the typed name."""
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


class OpenConfigScreen(ModalScreen[str | None]):
    """Lets the user pick an example or a saved config.

    Args:
        choices: Labels to pick from, such as ``example: small.json``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dwh.dialog.cancel")
    ]

    def __init__(self, title: str, choices: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text)
            if self.choices:
                yield OptionList(*self.choices, id="open-choices")
            else:
                yield Label("No example or saved config yet; ctrl+s saves one.")
            yield Label("enter opens · escape cancels", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the picked config."""
        event.stop()
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)

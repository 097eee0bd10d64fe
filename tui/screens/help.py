"""The help screen: every key binding, its id (for remapping) and what it does."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from textual.app import ComposeResult
    from textual.binding import ActiveBinding


class HelpScreen(ModalScreen[None]):
    """Lists the key bindings; ids can be remapped in ``$DWH_HOME/keymap.json``.

    Args:
        bindings: ``(keys, id, description)`` rows.
        keymap_path: Where the user's keymap file lives.
        editor: ``(keys, id, description)`` rows of the config editor's own keys,
            shown in a table of their own whatever has the focus.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="dwh.help.close")
    ]

    def __init__(
        self,
        bindings: list[tuple[str, str, str]],
        keymap_path: str,
        *,
        editor: list[tuple[str, str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.rows = bindings
        self.keymap_path = keymap_path
        self.editor_rows = list(editor or [])

    def compose(self) -> ComposeResult:
        table = Table(expand=True, box=None, title="dwh-tui keys", title_justify="left")
        table.add_column("keys", style="bold cyan", no_wrap=True)
        table.add_column("action")
        table.add_column("binding id", style="dim", no_wrap=True)
        for keys, binding_id, description in self.rows:
            table.add_row(keys, description, binding_id)
        editor = Table(
            expand=True, box=None, title="\nconfig editor keys (f4)", title_justify="left"
        )
        editor.add_column("keys", style="bold cyan", no_wrap=True)
        editor.add_column("action")
        editor.add_column("binding id", style="dim", no_wrap=True)
        for keys, binding_id, description in self.editor_rows:
            editor.add_row(keys, description, binding_id)
        note = Text(
            f"\nRemap any key by its id in {self.keymap_path}, for example\n"
            '  {"dwh.run": "f9", "dwh.cancel": "f10"}\n'
            "ctrl+p opens the command palette (open job X, run, rerun last). "
            "The mouse works everywhere too.\nescape closes this screen.",
            style="dim",
        )
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Static(table)
            if self.editor_rows:
                yield Static(editor)
            yield Static(note)


def binding_rows(active: Mapping[str, ActiveBinding]) -> list[tuple[str, str, str]]:
    """``(keys, id, description)`` rows of the active bindings: dwh's first, one per id."""
    rows: dict[str, list[str]] = {}
    for pressed, binding in ((key, item.binding) for key, item in active.items()):
        key = binding.id or binding.action
        entry = rows.setdefault(key, [binding.description or binding.action, ""])
        entry[1] = f"{entry[1]}, {pressed}" if entry[1] else pressed
    table = [(keys, key, description) for key, (description, keys) in rows.items()]
    table.sort(key=lambda row: not row[1].startswith("dwh."))  # ours first, stable
    return table


def help_screen(
    active: Mapping[str, ActiveBinding], screen_bindings: Iterable[Binding], keymap_path: str
) -> HelpScreen:
    """The help of a screen with the config editor: its keys, then the editor's own.

    Args:
        active: The app's active bindings (the focused widget's, its screen's, the app's).
        screen_bindings: The screen's bindings; its priority keys are listed as taken
            where the editor has them too (``ctrl+k``).
        keymap_path: Where the user's keymap file lives.
    """
    from tui.widgets.config_editor import editor_actions, editor_key_rows

    editor = editor_actions()
    rows = [row for row in binding_rows(active) if row[1] not in editor]
    taken = {
        key: binding.description
        for binding in screen_bindings
        if binding.priority
        for key in binding.key.split(",")
    }
    return HelpScreen(rows, keymap_path, editor=editor_key_rows(taken))

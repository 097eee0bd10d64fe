"""Messages that more than one widget posts; a widget's own messages live in its class.

A widget says what the user asked for and the screen that owns it decides where to
go (:class:`tui.screens.main.MainScreen` pushes the screens), so widgets never import
screens (an import-linter contract in ``pyproject.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.message import Message

__all__ = ["PreviewRequested"]


class PreviewRequested(Message):
    """The user asked to preview a run's outputs (the history view, the run console).

    Attributes:
        outputs: Output name to path, as the run recorded them.
        title: What the preview's header says, such as ``run 20261125T183000Z-aaaaaa``.
    """

    def __init__(self, outputs: Mapping[str, str], *, title: str) -> None:
        super().__init__()
        self.outputs = dict(outputs)
        self.title = title

"""A footer that leaves out the keys its screen says are not worth the room now.

Textual's footer shows every binding with ``show=True``; at 80 columns that is more
than fits, and the keys past the edge are simply cut. A screen with a
``footer_keeps(action, enabled)`` method says which keys to show (the others still
work, and the help screen lists them all), so the footer keeps to what fits and
matters in the tab in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import ComposeResult

__all__ = ["NARROW_WIDTH", "DwhFooter"]

NARROW_WIDTH = 100
"""Below this many columns a screen is narrow (80x24 is the usual default terminal)."""


class DwhFooter(Footer):
    """A compact footer that asks its screen which keys to show."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        """The footer's keys, less those the screen's ``footer_keeps`` turns down."""
        keeps = getattr(self.screen, "footer_keeps", None)
        for widget in super().compose():
            if (
                callable(keeps)
                and isinstance(widget, FooterKey)
                and "-command-palette" not in widget.classes
                and not keeps(widget.action, not widget.has_class("-disabled"))
            ):
                continue
            yield widget

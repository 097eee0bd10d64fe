"""Command palette commands, offered by whichever screen lists them.

A screen puts :class:`ScreenCommands` in its ``COMMANDS`` and implements
:class:`CommandSource`; the provider knows no screen class, so no import cycle.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, Callable[[], object], str]
"""A palette command: its name, what it does, and a help line."""


@runtime_checkable
class CommandSource(Protocol):
    """A screen that offers palette commands."""

    def palette_commands(self) -> list[Command]:
        """The commands, in the order they are listed."""
        ...


class ScreenCommands(Provider):
    """The calling screen's commands for ``ctrl+p``."""

    def _commands(self) -> list[Command]:
        screen = self.screen
        return screen.palette_commands() if isinstance(screen, CommandSource) else []

    async def discover(self) -> Hits:
        """Offer every command before anything is typed."""
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        """Fuzzy-match the commands."""
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

"""Command palette commands: open job X, run, rerun last, cancel, copy, history."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class JobCommands(Provider):
    """Job commands for ``ctrl+p``."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        from tui.screens.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return []
        main: MainScreen = screen
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Run the current job", main.action_run, "ctrl+j: run with the editor's config"),
            ("Rerun last run", main.rerun_last, "ctrl+r: same job, same config"),
            ("Cancel the running job", main.action_cancel, "ctrl+t"),
            ("Copy production command", main.action_copy_commands, "ctrl+l: spark-submit"),
            ("Show run history", partial(main.action_show_tab, "tab-history"), "f6"),
            ("New config from schema", main.action_new, "ctrl+n"),
            ("Save config", main.action_save, "ctrl+s"),
            ("Open config", main.action_open, "ctrl+o: examples and saved configs"),
        ]
        for job in main.dwh.catalog.jobs:
            commands.append((f"Open job {job.name}", partial(main.open_job, job), job.description))
        return commands

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

"""dwh-tui: browse jobs, edit configs with live validation, run and watch jobs.

The app only wires services to the main screen; the screens and widgets do the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App

from dwh.run_context import new_run_id
from tui.catalog import JobCatalog
from tui.config_files import ConfigLibrary
from tui.keymap import keymap_path, read_keymap
from tui.palette import JobCommands
from tui.runner import Launcher, SubprocessLauncher
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.command import Provider
    from textual.screen import Screen


class DwhApp(App[None]):
    """The dwh job browser, config editor and run console.

    Args:
        launcher: Starts runs; defaults to a subprocess of the generic entry.
        clock: Monotonic clock for elapsed times (frozen in snapshot tests).
        run_ids: Makes run ids (fixed in snapshot tests).
        packages: Job packages to list; defaults to ``$DWH_JOB_PACKAGES``.
        library: Where configs are saved; defaults to ``$DWH_HOME/configs``.
    """

    CSS_PATH = "dwh.tcss"
    TITLE = "dwh"
    SUB_TITLE = "jobs"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        JobCommands
    }

    def __init__(
        self,
        *,
        launcher: Launcher | None = None,
        clock: Callable[[], float] = time.monotonic,
        run_ids: Callable[[], str] = new_run_id,
        packages: Iterable[str] | None = None,
        library: ConfigLibrary | None = None,
    ) -> None:
        super().__init__()
        self.launcher: Launcher = launcher or SubprocessLauncher()
        self.clock = clock
        self.new_run_id = run_ids
        self.catalog = JobCatalog(packages)
        self.library = library or ConfigLibrary()
        self.keymap_path = keymap_path()

    def get_default_screen(self) -> Screen[None]:
        """The workspace."""
        return MainScreen()

    def on_mount(self) -> None:
        """Apply the user's keymap, if any."""
        keymap, problem = read_keymap(self.keymap_path)
        if keymap:
            self.set_keymap(keymap)
        if problem:
            self.notify(problem, severity="warning")


def main() -> int:
    """Run the TUI (the ``dwh-tui`` console script)."""
    DwhApp().run()
    return 0

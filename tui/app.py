"""dwh-tui: browse jobs, edit configs with live validation, run and watch jobs.

The app only builds the services and hands them to the main screen; the screens and
widgets do the work.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import App

from dwh.launch import Launcher, SubprocessLauncher
from dwh.run_context import new_run_id
from tui.catalog import JobCatalog
from tui.config_files import ConfigLibrary
from tui.keymap import keymap_path, read_keymap
from tui.screens.main import MainScreen
from tui.services import Services
from tui.spark_server import SparkServer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from textual.screen import Screen


class DwhApp(App[None]):
    """The dwh job browser, config editor and run console.

    Args:
        launcher: Starts runs; defaults to the launcher's async face (a subprocess of
            the generic entry).
        clock: Monotonic clock for elapsed times (frozen in snapshot tests).
        run_ids: Makes run ids (fixed in snapshot tests).
        packages: Job packages to list; defaults to ``$DWH_JOB_PACKAGES``.
        library: Where configs are saved; defaults to ``$DWH_HOME/configs``.
        spark: Reads and starts the local Spark server for warm runs; defaults to
            :func:`dwh.spark.status.server_status` and ``dwh spark start``.
    """

    CSS_PATH = "dwh.tcss"
    TITLE = "dwh"
    SUB_TITLE = "jobs"

    def __init__(
        self,
        *,
        launcher: Launcher | None = None,
        clock: Callable[[], float] = time.monotonic,
        run_ids: Callable[[], str] = new_run_id,
        packages: Iterable[str] | None = None,
        library: ConfigLibrary | None = None,
        spark: SparkServer | None = None,
    ) -> None:
        super().__init__()
        self.services = Services(
            launcher=launcher or SubprocessLauncher(),
            catalog=JobCatalog(packages),
            library=library or ConfigLibrary(),
            clock=clock,
            new_run_id=run_ids,
            keymap_path=keymap_path(),
            spark=spark or SparkServer(),
        )

    @property
    def catalog(self) -> JobCatalog:
        """The registered jobs."""
        return self.services.catalog

    def get_default_screen(self) -> Screen[None]:
        """The workspace, given the services."""
        return MainScreen(self.services)

    def on_mount(self) -> None:
        """Apply the user's keymap, if any."""
        keymap, problem = read_keymap(self.services.keymap_path)
        if keymap:
            self.set_keymap(keymap)
        if problem:
            self.notify(problem, severity="warning")


def main() -> int:
    """Run the TUI (the ``dwh-tui`` console script)."""
    DwhApp().run()
    return 0

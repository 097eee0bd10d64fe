"""What the screens are given: the services the app wires up once.

The app builds one :class:`Services` and passes it to the screens, which use it
instead of reaching for ``self.app`` (Textual's ``screen.py``, harlequin's app).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.spark_server import SparkServer

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from dwh.launch import Launcher
    from tui.catalog import JobCatalog
    from tui.config_files import ConfigLibrary


@dataclass(frozen=True)
class Services:
    """The TUI's services.

    Attributes:
        launcher: Starts runs (the launcher's async face, or a replay in tests).
        catalog: The registered jobs and their details.
        library: Where configs are saved.
        clock: Monotonic clock for elapsed times (frozen in snapshot tests).
        new_run_id: Makes run ids (fixed in snapshot tests).
        keymap_path: The user's keymap file.
        spark: Reads and starts the local Spark server that warm runs use.
    """

    launcher: Launcher
    catalog: JobCatalog
    library: ConfigLibrary
    clock: Callable[[], float]
    new_run_id: Callable[[], str]
    keymap_path: Path
    spark: SparkServer = field(default_factory=SparkServer)

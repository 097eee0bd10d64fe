"""The rich progress bar ``dwh run`` draws from ``spark_progress`` payloads."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dwh.spark.progress import progress_listener

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class StageBars:
    """One bar per Spark stage, updated from ``spark_progress`` payloads (any thread).

    Args:
        console: Where the bars are drawn (stderr in ``dwh run``).
    """

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress: Progress = Progress(
            TextColumn("stage {task.fields[stage_id]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[running]} running"),
            console=console,
            transient=True,
        )
        self._tasks: dict[int, TaskID] = {}
        self._lock = threading.Lock()

    def update(self, fields: dict[str, int]) -> None:
        """Move the stage's bar to the payload's counts, adding the bar on first sight."""
        stage_id = fields["stage_id"]
        with self._lock:
            task = self._tasks.get(stage_id)
            if task is None:
                task = self.progress.add_task(
                    "", total=fields["tasks_total"], stage_id=stage_id, running=0
                )
                self._tasks[stage_id] = task
            self.progress.update(
                task,
                total=fields["tasks_total"],
                completed=fields["tasks_done"],
                running=fields["tasks_running"],
            )


@contextlib.contextmanager
def progress_bars(console: Console | None = None) -> Iterator[StageBars | None]:
    """Draw stage bars while the block runs; nothing when stderr is not a terminal."""
    if console is None:
        if not sys.stderr.isatty():
            yield None
            return
        from rich.console import Console

        console = Console(file=sys.stderr)
    bars = StageBars(console)
    with bars.progress, progress_listener(bars.update):
        yield bars

"""The run store's event publisher: records each event of a run, never fails the job.

The job factory imports it only when it wires a run's publishers, so importing the job
contract (:mod:`dwh.jobs.abstract_job`, :mod:`dwh.jobs.abstract_job_factory`) loads
neither SQLite nor the store.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from dwh.events import TERMINAL_EVENTS
from dwh.runs.store import RunStore, store_path_from_env
from dwh.settings import is_off

if TYPE_CHECKING:
    from dwh.events import Event

__all__ = ["RunStorePublisher"]

log = logging.getLogger(__name__)


class RunStorePublisher:
    """Records each event in the run store; a broken store never fails the job.

    The store is opened when the first event arrives. If opening it or writing to
    it fails, one warning is logged (``dwh: warning: run store ...``) and the rest of
    the run's events are not recorded: the job goes on.

    Args:
        path: The store's file.
        module: The factory module, recorded with the run.
    """

    def __init__(self, path: str | Path, *, module: str | None = None) -> None:
        self.path = Path(path)
        self.module = module
        self.failed = False
        self._store: RunStore | None = None

    @classmethod
    def from_target(
        cls, target: str | None = None, *, module: str | None = None
    ) -> RunStorePublisher | None:
        """Return a publisher for ``target`` (a path, or ``off``) or for the environment.

        Without ``target`` the store is the one :meth:`RunStore.from_env` would open.
        Returns None when recording is turned off.
        """
        if target is not None and target.strip():
            if is_off(target):
                return None
            return cls(target.strip(), module=module)
        path = store_path_from_env()
        return None if path is None else cls(path, module=module)

    def publish(self, event: Event) -> None:
        """Record ``event``; after a failure, do nothing. The final event closes the store."""
        if self.failed:
            return
        try:
            if self._store is None:
                self._store = RunStore(self.path)
            self._store.record(event, module=self.module)
            if event.event in TERMINAL_EVENTS:
                self._store.close()
                self._store = None
        except Exception as exc:
            self.failed = True
            log.warning(
                "dwh: warning: run store %s is unavailable, run %s is not recorded: %s",
                self.path,
                event.run_id,
                exc,
            )

"""Run history and the guards around runs.

- :mod:`dwh.runs.store`: the run store (``$DWH_HOME/runs.db``), a SQLite file of every run
  and its events; :mod:`dwh.runs._db` is its file handling (WAL, lock waits, upgrades).
- :mod:`dwh.runs.locks`: output locks, so two live runs never write one output.
- :mod:`dwh.runs.alerts`: alerts on failed runs (stderr, webhook).
- :mod:`dwh.runs.publisher`: the event publisher that records a run in the store.
- :mod:`dwh.runs.logs`: the process log of each launched run (``$DWH_HOME/logs``).

Nothing in the job contract imports this package at module level: a run's factory
imports it when the run starts (an import-linter contract and a test keep it so).

The names below load on first access (PEP 562), so importing a light module of this
package (``dwh.runs.locks``, ``dwh.runs.logs``) does not open SQLite. Whether a
recorded process is alive is :mod:`dwh.processes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dwh._lazy import lazy_exports

if TYPE_CHECKING:
    from dwh.runs.logs import RunLogWriter, read_log
    from dwh.runs.publisher import RunStorePublisher
    from dwh.runs.store import RunRecord, RunStore, store_path_from_env

_HOMES = {
    "RunLogWriter": "dwh.runs.logs",
    "RunRecord": "dwh.runs.store",
    "RunStore": "dwh.runs.store",
    "RunStorePublisher": "dwh.runs.publisher",
    "read_log": "dwh.runs.logs",
    "store_path_from_env": "dwh.runs.store",
}


__getattr__, __dir__ = lazy_exports(globals(), _HOMES)


__all__ = [
    "RunLogWriter",
    "RunRecord",
    "RunStore",
    "RunStorePublisher",
    "read_log",
    "store_path_from_env",
]

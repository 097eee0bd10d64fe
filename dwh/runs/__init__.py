"""Run history and the guards around runs.

- :mod:`dwh.runs.store`: the run store (``$DWH_HOME/runs.db``), a SQLite file of every run
  and its events; :mod:`dwh.runs._db` is its file handling (WAL, lock waits, upgrades).
- :mod:`dwh.runs.locks`: output locks, so two live runs never write one output.
- :mod:`dwh.runs.liveness`: whether the process that recorded a run is still alive.
- :mod:`dwh.runs.alerts`: alerts on failed runs (stderr, webhook).
- :mod:`dwh.runs.publisher`: the event publisher that records a run in the store.

Nothing in the job contract imports this package at module level: a run's factory
imports it when the run starts (an import-linter contract and a test keep it so).
"""

from __future__ import annotations

from dwh.runs.publisher import RunStorePublisher
from dwh.runs.store import RunRecord, RunStore, store_path_from_env

__all__ = ["RunRecord", "RunStore", "RunStorePublisher", "store_path_from_env"]

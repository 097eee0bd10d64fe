"""Triggers: run a job, then the jobs its success starts, as a map declares.

- :mod:`dwh.triggers.trigger_map`: the map, parsed and checked. Without a flag it is
  found: every job package's ``triggers.json``, then ``examples/triggers.json``, merged
  (:func:`~dwh.triggers.runner.trigger_map_files`).
- :mod:`dwh.triggers.runner`: runs a job through the launcher and follows the map
  (``python -m dwh.triggers``, ``dwh run --follow``).
"""

from __future__ import annotations

from dwh.triggers.runner import (
    TRIGGERS_FILE,
    JobRun,
    check_jobs,
    load_trigger_map,
    main,
    run_with_triggers,
    trigger_map_files,
)
from dwh.triggers.trigger_map import TRIGGERS_ENV, Trigger, TriggerMap, TriggerMapError

__all__ = [
    "TRIGGERS_ENV",
    "TRIGGERS_FILE",
    "JobRun",
    "Trigger",
    "TriggerMap",
    "TriggerMapError",
    "check_jobs",
    "load_trigger_map",
    "main",
    "run_with_triggers",
    "trigger_map_files",
]

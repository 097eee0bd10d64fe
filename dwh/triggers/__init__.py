"""Triggers: run a job, then the jobs its success starts, as a map declares.

- :mod:`dwh.triggers.trigger_map`: the map (``examples/triggers.json``), parsed and checked.
- :mod:`dwh.triggers.runner`: runs a job through the launcher and follows the map
  (``python -m dwh.triggers``, ``dwh run --follow``).
"""

from __future__ import annotations

from dwh.triggers.runner import (
    JobRun,
    check_jobs,
    load_trigger_map,
    main,
    run_with_triggers,
)
from dwh.triggers.trigger_map import TRIGGERS_ENV, Trigger, TriggerMap, TriggerMapError

__all__ = [
    "TRIGGERS_ENV",
    "JobRun",
    "Trigger",
    "TriggerMap",
    "TriggerMapError",
    "check_jobs",
    "load_trigger_map",
    "main",
    "run_with_triggers",
]

"""Backfills: rerun a job over a date range, one ordinary run per date, resumable.

::

    plan = plan_backfill("filter_images", "@backfill.json", "2026-11-01", "2026-11-30")
    for date in plan.dates:  # the dry run
        print(date.day, date.latest_status, date.run)
    result = Backfill(plan, engine="warm").run()
    result.exit_code  # 0, 1 (a date failed) or 130 (cancelled)

:mod:`dwh.backfill.template` fills each date into the config, :mod:`dwh.backfill.plan`
validates and decides which dates run, :mod:`dwh.backfill.runner` runs them. The
command is ``dwh backfill`` (:mod:`dwh.cli.backfill`); notebooks call
:func:`dwh.notebook.backfill`.
"""

from __future__ import annotations

from dwh.backfill._engine import Engine, default_engine
from dwh.backfill.plan import (
    BackfillPlan,
    DatePlan,
    Reprocess,
    dates_independent,
    log_path,
    new_backfill_id,
    plan_backfill,
)
from dwh.backfill.runner import NOT_RUN, SKIPPED, Backfill, BackfillResult, DateResult
from dwh.backfill.template import DEFAULT_DATE_FIELD, date_range, resolve_config

__all__ = [
    "DEFAULT_DATE_FIELD",
    "NOT_RUN",
    "SKIPPED",
    "Backfill",
    "BackfillPlan",
    "BackfillResult",
    "DatePlan",
    "DateResult",
    "Engine",
    "Reprocess",
    "date_range",
    "dates_independent",
    "default_engine",
    "log_path",
    "new_backfill_id",
    "plan_backfill",
    "resolve_config",
]

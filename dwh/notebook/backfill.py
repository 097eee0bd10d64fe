"""``dwh.notebook.backfill``: a backfill from a notebook, its summary as a DataFrame.

The same plan, engine, resume rule, order, failure rule and run store as
``dwh backfill``; each date is its own run through the generic entry, so the
notebook's kernel starts no JVM for it::

    summary = backfill("filter_images", config, "2026-11-01", "2026-11-07", warm=True)
    summary  # one row per date: date, status, seconds, output_rows, run_id, error

With ``dry_run=True`` nothing runs: the frame lists each date, whether it would run,
its latest run's status and its resolved config.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dwh.backfill import Backfill, Engine, plan_backfill
from dwh.redaction import redact_config

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]


def backfill(
    job: str,
    config: str | Mapping[str, Any],
    date_from: str | dt.date,
    date_to: str | dt.date,
    *,
    date_field: str | None = None,
    backwards: bool = False,
    warm: bool | None = None,
    max_parallel: int = 1,
    reprocess: str = "failed",
    keep_going: bool = False,
    dry_run: bool = False,
    backfill_id: str | None = None,
) -> pd.DataFrame:
    """Run (or with ``dry_run`` only plan) a backfill; return its summary.

    Args:
        job: The job name.
        config: The config template: a dict or JSON text; string values may use
            ``{run_date}`` or ``{run_date:%Y/%m/%d}``.
        date_from: The first date, included.
        date_to: The last date, included.
        date_field: The config field set to each date (default ``run_date``).
        backwards: Newest date first.
        warm: True for one warm Spark Connect server, False for a process's own Spark
            per date; None picks warm when a warm server runs.
        max_parallel: Dates at once (jobs with independent dates only).
        reprocess: ``all``, ``failed`` (default) or ``none``.
        keep_going: Go on past a failed date.
        dry_run: Plan only: run nothing, write nothing.
        backfill_id: The id its runs carry; a fresh one by default.

    Returns:
        One row per date. The frame's ``attrs`` hold ``backfill_id``, ``skipped``,
        ``cancelled`` and ``exit_code``.

    Raises:
        UsageError: An option, the date field, a placeholder or a date's config is invalid.
    """
    import pandas as pd

    plan = plan_backfill(
        job,
        config,
        date_from,
        date_to,
        date_field=date_field,
        backwards=backwards,
        reprocess=reprocess,
        max_parallel=max_parallel,
        backfill_id=backfill_id,
    )
    if dry_run:
        frame = pd.DataFrame(
            [
                {
                    "date": date.day.isoformat(),
                    "action": "run" if date.run else "skipped",
                    "latest_status": date.latest_status,
                    "config": redact_config(date.config),
                }
                for date in plan.dates
            ]
        )
        frame.attrs.update(backfill_id=plan.backfill_id, skipped=len(plan.skipped))
        return frame
    engine = Engine.from_warm(warm)
    result = Backfill(plan, engine=engine, keep_going=keep_going).run()
    frame = pd.DataFrame(
        result.rows(), columns=["date", "status", "seconds", "output_rows", "run_id", "error"]
    )
    frame.attrs.update(
        backfill_id=result.backfill_id,
        skipped=result.skipped,
        cancelled=result.cancelled,
        exit_code=result.exit_code,
    )
    return frame

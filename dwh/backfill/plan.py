"""What a backfill will do, worked out before anything runs: the dry run's content.

:func:`plan_backfill` validates everything a backfill needs (the job, its date field,
every placeholder, each date's config through the job's own model, the parallelism
the job allows) and looks up each date's latest run with the same config hash in the
run store. It imports no pyspark and writes nothing, so ``--dry-run`` is this plan,
printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.backfill.template import (
    DEFAULT_DATE_FIELD,
    check_date_field,
    check_templates,
    date_range,
    parse_date,
    resolve_config,
)
from dwh.config import FRAMEWORK_FIELDS, load_json_object, parse_config
from dwh.errors import ConfigError, UsageError
from dwh.events import RunStatus
from dwh.redaction import redact_config
from dwh.registry import JobInfo, find_job, load_factory
from dwh.run_context import config_hash, new_run_id
from dwh.runs.store import RunRecord, RunStore, store_path_from_env
from dwh.settings import dwh_home

if TYPE_CHECKING:
    from dwh.jobs.abstract_job_factory import AbstractJobFactory

INDEPENDENT_DATES_ATTRIBUTE = "dates_independent"
"""The class attribute (on the factory or its config model) that allows ``--max-parallel``."""


class Reprocess(StrEnum):
    """Which dates that already ran (with the same config) a backfill runs again."""

    ALL = "all"
    """Every date."""
    FAILED = "failed"
    """Every date except those whose latest run succeeded (the default)."""
    NONE = "none"
    """Only dates that never ran with this config."""


@dataclass(frozen=True)
class DatePlan:
    """One date of a backfill.

    Attributes:
        day: The date.
        config: The resolved config (placeholders filled, the date field set).
        config_hash: The hash its run will record in ``job_started``.
        latest: Its latest run with the same config hash, or None if it never ran.
        run: Whether the backfill runs it (False: skipped by the reprocess rule).
    """

    day: dt.date
    config: dict[str, Any]
    config_hash: str
    latest: RunRecord | None
    run: bool

    @property
    def latest_status(self) -> str:
        """The latest run's status, or ``never``."""
        return self.latest.status if self.latest is not None else "never"


@dataclass(frozen=True)
class BackfillPlan:
    """A validated backfill, ready to run.

    Attributes:
        job: The job.
        backfill_id: The id every run of this backfill carries.
        date_field: The config field set to each date.
        dates: Every date in the range, in the order they run.
        reprocess: The rule that chose which dates run.
        max_parallel: How many dates may run at once.
        needs_spark: Whether the job needs Spark (else the engine does not matter).
    """

    job: JobInfo
    backfill_id: str
    date_field: str
    dates: list[DatePlan]
    reprocess: Reprocess
    max_parallel: int = 1
    needs_spark: bool = True

    @property
    def to_run(self) -> list[DatePlan]:
        """The dates that will run, in order."""
        return [date for date in self.dates if date.run]

    @property
    def skipped(self) -> list[DatePlan]:
        """The dates the reprocess rule skips."""
        return [date for date in self.dates if not date.run]


def new_backfill_id() -> str:
    """Return a fresh backfill id such as ``bf-20261129T131500Z-3f9a1c``."""
    return f"bf-{new_run_id()}"


def log_path(backfill_id: str, environ: Mapping[str, str] | None = None) -> Path:
    """Return where a backfill's dates write their own output: ``$DWH_HOME/backfills/ID.log``.

    ``dwh backfill`` (unless ``--log`` says otherwise) and the TUI's backfill dialog
    both write there.
    """
    return dwh_home(environ) / "backfills" / f"{backfill_id}.log"


def plan_backfill(
    job: str,
    config: str | Mapping[str, Any],
    date_from: str | dt.date,
    date_to: str | dt.date,
    *,
    date_field: str | None = None,
    backwards: bool = False,
    reprocess: str | Reprocess = Reprocess.FAILED,
    max_parallel: int = 1,
    backfill_id: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> BackfillPlan:
    """Validate a backfill and decide which dates run; start nothing, write nothing.

    Args:
        job: The job name.
        config: The config template: JSON text, ``@PATH`` or a dict.
        date_from: The first date (``YYYY-MM-DD``), included.
        date_to: The last date, included.
        date_field: The config field set to each date (default ``run_date``).
        backwards: Run the newest date first.
        reprocess: ``all``, ``failed`` (default) or ``none``: see :class:`Reprocess`.
        max_parallel: Dates run at once; above 1 only for jobs whose dates are
            independent (``dates_independent = True`` on the factory or config model).
        backfill_id: The backfill's id; a fresh one by default.
        environ: Where to find the run store; this process's environment by default.

    Raises:
        UsageError: Anything is invalid (exit 2); the message names the option or field.
    """
    info = find_job(job)
    factory = load_factory(info)
    field_name = date_field or DEFAULT_DATE_FIELD
    own_fields = [f for f in factory.config_model.model_fields if f not in FRAMEWORK_FIELDS]
    check_date_field(own_fields, field_name, job=info.name)
    start = parse_date(date_from, name="--from")
    end = parse_date(date_to, name="--to")
    days = date_range(start, end, backwards=backwards)
    rule = _reprocess(reprocess)
    if max_parallel < 1:
        raise UsageError(f"--max-parallel must be at least 1, got {max_parallel}")
    if max_parallel > 1 and not dates_independent(factory):
        raise UsageError(
            f"--max-parallel {max_parallel}: job '{info.name}' does not declare its dates "
            f"independent ({INDEPENDENT_DATES_ATTRIBUTE} = True on its factory or config), "
            "so its dates run one at a time, in order"
        )
    template = load_json_object(config, job=info.name)
    check_templates(template, date_field=field_name)
    store = _open_store(environ)
    try:
        plans = []
        for day in days:
            resolved = resolve_config(template, day, date_field=field_name)
            try:
                model = parse_config(factory.config_model, resolved, job=info.name)
            except ConfigError as err:
                dated = [f"{problem} (date {day.isoformat()})" for problem in err.problems]
                raise ConfigError(info.name, dated) from None
            digest = config_hash(redact_config(model.model_dump(mode="json")))
            latest = _latest(store, info.name, digest)
            plans.append(DatePlan(day, resolved, digest, latest, _runs(rule, latest)))
    finally:
        if store is not None:
            store.close()
    return BackfillPlan(
        job=info,
        backfill_id=backfill_id or new_backfill_id(),
        date_field=field_name,
        dates=plans,
        reprocess=rule,
        max_parallel=max_parallel,
        needs_spark=factory.needs_spark,
    )


def dates_independent(factory: type[AbstractJobFactory[Any]]) -> bool:
    """Whether a job's dates may run in parallel: its factory or config model says so."""
    return bool(
        getattr(factory, INDEPENDENT_DATES_ATTRIBUTE, False)
        or getattr(factory.config_model, INDEPENDENT_DATES_ATTRIBUTE, False)
    )


def _reprocess(value: str | Reprocess) -> Reprocess:
    try:
        return Reprocess(value)
    except ValueError:
        valid = ", ".join(rule.value for rule in Reprocess)
        raise UsageError(f"--reprocess must be one of {valid}, got {value!r}") from None


def _runs(rule: Reprocess, latest: RunRecord | None) -> bool:
    if rule is Reprocess.ALL or latest is None:
        return True
    if rule is Reprocess.NONE:
        return False
    return latest.status != RunStatus.SUCCEEDED


def _open_store(environ: Mapping[str, str] | None) -> RunStore | None:
    """Open the run store to read, never creating it (a dry run writes nothing)."""
    path: Path | None = store_path_from_env(environ)
    if path is None or not path.is_file():
        return None
    return RunStore(path, create=False)


def _latest(store: RunStore | None, job: str, digest: str) -> RunRecord | None:
    if store is None:
        return None
    found = store.runs(job=job, config_hash=digest, limit=1)
    return found[0] if found else None

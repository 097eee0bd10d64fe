"""Audit a run's staged outputs: one aggregation per output, one anti-join per reference.

``unique``, ``not_null``, ``accepted_values``, ``row_count`` and ``expression`` are all
sums (or distinct counts) over the same rows, so they are one ``agg`` together, which
also counts each checked column's nulls. ``unique`` counts distinct 64-bit hashes of the
key, which shuffles a fraction of the key's bytes; only when there are fewer distinct
hashes than rows (a duplicate, or a hash collision) are the keys themselves recounted.
Each ``relationships`` is one ``left_anti`` join. Samples are read only for checks that
failed, five rows each.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dwh.checks.results import SAMPLE_LIMIT, CheckResult, OutputAudit
from dwh.checks.spec import Check, CheckOutcome
from dwh.errors import CheckInvalidError, first_line

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

    from dwh.services.publication import StagedOutput

__all__ = ["audit_frame", "audit_staged"]


def audit_staged(
    staged: Sequence[StagedOutput],
    outputs: Mapping[str, str],
    checks: Mapping[str, Sequence[Check]],
) -> list[OutputAudit]:
    """Audit every recorded output that was staged and has checks, in record order.

    Args:
        staged: The run's staged outputs (:class:`~dwh.services.publication.Publication`).
        outputs: The outputs the job recorded, name to path.
        checks: Each output's checks, by name.

    Raises:
        CheckInvalidError: A check cannot be evaluated (a missing column, a bad
            expression, an unreadable reference).
    """
    by_target = {output.target: output for output in staged}
    audits = []
    for name, path in outputs.items():
        wanted = list(checks.get(name) or [])
        output = by_target.get(path)
        if not wanted or output is None:
            continue
        frame = output.read()
        audits.append(audit_frame(frame, wanted, output=name, path=path, read_other=_reader(frame)))
    return audits


def read_dataset(spark: Any, path: str) -> DataFrame:
    """Read the dataset at ``path``: CSV (with a header) or JSON lines by its name, else Parquet."""
    name = path.rstrip("/").lower()
    if name.endswith(".csv"):
        return spark.read.option("header", "true").option("inferSchema", "true").csv(path)  # type: ignore[no-any-return]
    if name.endswith((".json", ".jsonl")):
        return spark.read.json(path)  # type: ignore[no-any-return]
    return spark.read.parquet(path)  # type: ignore[no-any-return]


def _reader(frame: DataFrame) -> Any:
    spark = frame.sparkSession
    return lambda path: read_dataset(spark, path)


def audit_frame(
    frame: DataFrame,
    checks: Sequence[Check],
    *,
    output: str,
    path: str,
    read_other: Any = None,
) -> OutputAudit:
    """Run ``checks`` on ``frame`` (an output's staged copy) and return the audit.

    Args:
        frame: The staged output.
        checks: Its checks.
        output: The output's name, for messages.
        path: Where it would be published.
        read_other: ``read_other(path) -> DataFrame`` reads a ``relationships`` target.

    Raises:
        CheckInvalidError: A check names a column the output does not have, or its
            expression does not parse; nothing is published.
    """
    from pyspark.sql import functions as F

    _check_columns(frame, checks, output)
    bad_rows = {id(check): _bad_rows(check, frame, output) for check in checks}
    aggregates: list[Column] = [F.count(F.lit(1)).alias("__rows")]
    null_columns = sorted({c for check in checks for c in check.columns if check.kind != "custom"})
    for index, column in enumerate(null_columns):
        aggregates.append(F.sum(F.col(column).isNull().cast("long")).alias(f"__null{index}"))
    for index, check in enumerate(checks):
        if check.kind == "unique":
            # Distinct 64-bit hashes, not keys: a fraction of the shuffle. As many distinct
            # hashes as rows proves the keys unique; fewer is recounted on the keys.
            distinct = F.count_distinct(F.xxhash64(*[F.col(c) for c in check.columns]))
            aggregates.append((F.count(F.lit(1)) - distinct).alias(f"__c{index}"))
        elif check.kind in ("not_null", "accepted_values", "expression"):
            condition = bad_rows[id(check)]
            assert condition is not None  # these three are row-wise
            aggregates.append(F.sum(condition.cast("long")).alias(f"__c{index}"))
    row = frame.agg(*aggregates).collect()[0]
    rows = int(row["__rows"])
    nulls = {column: int(row[f"__null{i}"] or 0) for i, column in enumerate(null_columns)}
    results = []
    for index, check in enumerate(checks):
        if check.kind == "row_count":
            short = check.min_rows - rows if check.min_rows is not None else 0
            over = rows - check.max_rows if check.max_rows is not None else 0
            results.append(CheckResult(check, max(short, over, 0), observed=rows))
        elif check.kind == "relationships":
            results.append(_relationship(frame, check, output, read_other))
        elif check.kind == "custom":
            results.append(_custom(frame, check, output))
        else:
            failing = int(row[f"__c{index}"] or 0)
            if check.kind == "unique" and failing:
                failing = _duplicate_rows(frame, check)  # exact: hashes may collide
            samples = _samples(frame, check, bad_rows[id(check)]) if failing else []
            results.append(CheckResult(check, failing, samples))
    return OutputAudit(output, path, results, row_count=rows, null_counts=nulls)


def _duplicate_rows(frame: DataFrame, check: Check) -> int:
    """Rows beyond the first of each key (a null counts as a value)."""
    from pyspark.sql import functions as F

    keys = F.struct(*[F.col(c) for c in check.columns])
    row = frame.agg((F.count(F.lit(1)) - F.count_distinct(keys)).alias("extra")).collect()[0]
    return int(row["extra"] or 0)


def _check_columns(frame: DataFrame, checks: Sequence[Check], output: str) -> None:
    have = list(frame.columns)
    for check in checks:
        for column in check.columns:
            if column not in have:
                raise CheckInvalidError(
                    f"check {check.name} on output '{output}': the staged output has no "
                    f"column '{column}' (columns: {', '.join(have)})"
                )


def _bad_rows(check: Check, frame: DataFrame, output: str) -> Column | None:
    """The condition that is true for a row the check fails on (None: not row-wise)."""
    from pyspark.sql import functions as F

    if check.kind == "not_null":
        condition = F.col(check.columns[0]).isNull()
        for column in check.columns[1:]:
            condition = condition | F.col(column).isNull()
        return condition
    if check.kind == "accepted_values":
        value = F.col(check.columns[0])
        return value.isNotNull() & ~value.isin(list(check.values))
    if check.kind == "expression":
        try:
            condition = F.expr(str(check.sql))
            frame.select(condition.alias("ok")).schema  # parse and resolve it now  # noqa: B018
        except Exception as exc:
            first = first_line(exc)
            raise CheckInvalidError(
                f"check {check.name} on output '{output}': the expression does not parse "
                f"or resolve: {first}"
            ) from exc
        return F.coalesce(~condition, F.lit(False))
    return None


def _samples(frame: DataFrame, check: Check, condition: Column | None) -> list[dict[str, Any]]:
    from pyspark.sql import functions as F

    if check.kind == "unique":
        keys = [F.col(c) for c in check.columns]
        duplicated = (
            frame.groupBy(*keys).agg(F.count(F.lit(1)).alias("rows")).where(F.col("rows") > 1)
        )
        return _rows(duplicated.limit(SAMPLE_LIMIT))
    if condition is None:
        return []
    return _rows(frame.where(condition).limit(SAMPLE_LIMIT))


def _relationship(frame: DataFrame, check: Check, output: str, read_other: Any) -> CheckResult:
    from pyspark.sql import functions as F

    column, other_field = check.columns[0], str(check.to_field)
    try:
        reader = read_other or _reader(frame)
        other = reader(check.reads or str(check.to))
    except Exception as exc:
        first = first_line(exc)
        if check.job_output is not None and check.reads is None:
            job, name = check.job_output
            first += f" (nor has a successful run of job '{job}' recorded an output '{name}')"
        raise CheckInvalidError(
            f"check {check.name} on output '{output}': cannot read {check.to}: {first}"
        ) from exc
    if other_field not in other.columns:
        raise CheckInvalidError(
            f"check {check.name} on output '{output}': {check.to} has no column "
            f"'{other_field}' (columns: {', '.join(other.columns)})"
        )
    keys = other.select(F.col(other_field).alias("__key")).distinct()
    orphans = frame.where(F.col(column).isNotNull()).join(
        keys, F.col(column) == F.col("__key"), "left_anti"
    )
    failing = orphans.count()
    return CheckResult(check, failing, _rows(orphans.limit(SAMPLE_LIMIT)) if failing else [])


def _custom(frame: DataFrame, check: Check, output: str) -> CheckResult:
    assert check.function is not None
    try:
        outcome = check.function(frame)
    except Exception as exc:
        first = first_line(exc)
        raise CheckInvalidError(f"check {check.name} on output '{output}' failed: {first}") from exc
    if not isinstance(outcome, CheckOutcome):
        raise CheckInvalidError(
            f"check {check.name} on output '{output}' must return a CheckOutcome, "
            f"got {type(outcome).__name__}"
        )
    return CheckResult(check, int(outcome.failing_rows), list(outcome.samples)[:SAMPLE_LIMIT])


def _rows(frame: DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.asDict().items()} for row in frame.collect()]


def _plain(value: Any) -> Any:
    """A JSON-ready form of a Spark value (events are JSON)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return str(value)

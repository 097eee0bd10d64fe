"""What an output check is: declared in a factory's code, or added by a run's config.

A factory declares checks per output, next to the loaders it wires::

    from dwh.checks import not_null, unique

    class TransformImagesJobFactory(AbstractJobFactory[TransformImagesConfig]):
        output_checks = {
            "output_path": [unique("image_id"), not_null("image_id", "url")],
            "rejects_path": [],
        }

The keys are the output names the job records (``record_output``). A run's config may
add checks, or change a declared one's severity, under the framework field
``output_checks``, in JSON::

    {"output_checks": {"output_path": [{"unique": ["image_id"], "severity": "warn"},
                                       {"row_count": {"min": 1}}]}}

A config check with the same identity as a declared one (its kind and its columns,
expression or bounds) replaces it; any other is added. Nothing here imports pyspark.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dwh.errors import did_you_mean

__all__ = [
    "CHECK_KINDS",
    "Check",
    "CheckOutcome",
    "Severity",
    "accepted_values",
    "custom",
    "expression",
    "merge_checks",
    "not_null",
    "parse_check",
    "relationships",
    "row_count",
    "unique",
]

CHECK_KINDS: tuple[str, ...] = (
    "unique",
    "not_null",
    "accepted_values",
    "row_count",
    "expression",
    "relationships",
)
"""The built-in checks a config may name (``custom`` ones are declared in code only)."""


class Severity(StrEnum):
    """What a failing check does: ``error`` publishes nothing, ``warn`` publishes."""

    ERROR = "error"
    WARN = "warn"


@dataclass(frozen=True)
class CheckOutcome:
    """What a custom check returns.

    Attributes:
        failing_rows: How many rows break the rule (0: the check passes).
        samples: Up to five failing rows, as dicts.
    """

    failing_rows: int
    samples: list[dict[str, Any]] = field(default_factory=list)


_JOB_OUTPUT = re.compile(r"([A-Za-z_]\w*)\.([A-Za-z_]\w*)")
"""``transform_images.output_path``: a job's name, a dot, one of its outputs."""


@dataclass(frozen=True)
class Check:
    """One check of one output. Build it with :func:`unique`, :func:`not_null`, ...

    Attributes:
        kind: ``unique``, ``not_null``, ``accepted_values``, ``row_count``,
            ``expression``, ``relationships`` or ``custom``.
        columns: The columns checked (one for ``accepted_values`` and ``relationships``).
        values: The accepted values.
        min_rows: ``row_count``'s lower bound, inclusive.
        max_rows: ``row_count``'s upper bound, inclusive.
        sql: ``expression``'s Spark SQL condition, true for a good row.
        to: ``relationships``' other dataset: a path (local or a URI), or
            ``JOB.OUTPUT``, another job's output as its last successful run recorded it.
        to_field: ``relationships``' column in the other dataset.
        reads: Where ``relationships`` reads ``to`` from: the path a ``JOB.OUTPUT``
            resolved to (:func:`dwh.runs.wiring.resolve_references`); else ``to``.
        severity: ``error`` (the default) or ``warn``.
        function: A custom check's function of the staged DataFrame.
        label: A custom check's name.
    """

    kind: str
    columns: tuple[str, ...] = ()
    values: tuple[Any, ...] = ()
    min_rows: int | None = None
    max_rows: int | None = None
    sql: str | None = None
    to: str | None = None
    to_field: str | None = None
    reads: str | None = field(default=None, compare=False)
    severity: Severity = Severity.ERROR
    function: Callable[[Any], CheckOutcome] | None = field(default=None, compare=False)
    label: str | None = None

    @property
    def name(self) -> str:
        """How tables and messages show it: ``unique(image_id)``, ``row_count(1..)``."""
        if self.kind == "custom":
            return str(self.label)
        if self.kind == "row_count":
            low = "" if self.min_rows is None else str(self.min_rows)
            high = "" if self.max_rows is None else str(self.max_rows)
            return f"row_count({low}..{high})"
        if self.kind == "expression":
            return f"expression({self.sql})"
        if self.kind == "relationships":
            return f"relationships({self.columns[0]} -> {self.to}.{self.to_field})"
        return f"{self.kind}({', '.join(self.columns)})"

    @property
    def identity(self) -> tuple[Any, ...]:
        """What makes two checks the same check (severity aside)."""
        return (self.kind, self.columns, self.min_rows, self.max_rows, self.sql, self.to)

    @property
    def job_output(self) -> tuple[str, str] | None:
        """``relationships``' ``to`` as ``(job, output)`` when it has that form."""
        if self.kind != "relationships" or self.to is None:
            return None
        match = _JOB_OUTPUT.fullmatch(self.to)
        return (match[1], match[2]) if match else None

    def warn(self) -> Check:
        """This check, warn-severity: a failure is recorded and shown, and publishes."""
        return dataclasses.replace(self, severity=Severity.WARN)


def unique(*columns: str) -> Check:
    """No two rows share the values of ``columns`` (nulls count as a value)."""
    return Check("unique", columns=_columns("unique", columns))


def not_null(*columns: str) -> Check:
    """No row has a null in any of ``columns``."""
    return Check("not_null", columns=_columns("not_null", columns))


def accepted_values(column: str, values: Sequence[Any]) -> Check:
    """Every non-null value of ``column`` is one of ``values``."""
    if not values:
        raise ValueError("accepted_values needs a non-empty list of values")
    return Check("accepted_values", columns=(column,), values=tuple(values))


def row_count(min: int | None = None, max: int | None = None) -> Check:
    """The output has at least ``min`` and at most ``max`` rows."""
    if min is None and max is None:
        raise ValueError("row_count needs a min, a max or both")
    if min is not None and max is not None and min > max:
        raise ValueError(f"row_count's min ({min}) is above its max ({max})")
    return Check("row_count", min_rows=min, max_rows=max)


def expression(sql: str) -> Check:
    """Every row makes the Spark SQL condition ``sql`` true (``"amount >= 0"``)."""
    if not sql.strip():
        raise ValueError("expression needs a condition, e.g. 'amount >= 0'")
    return Check("expression", sql=sql)


def relationships(column: str, to: str, field: str | None = None) -> Check:
    """Every non-null ``column`` value is some value of ``field`` in the dataset at ``to``."""
    return Check("relationships", columns=(column,), to=to, to_field=field or column)


def custom(name: str, function: Callable[[Any], CheckOutcome]) -> Check:
    """A check of your own: ``function(staged_frame)`` returns a :class:`CheckOutcome`."""
    return Check("custom", function=function, label=name)


def parse_check(entry: object) -> Check:
    """Build a check from its config form, ``{"<kind>": <argument>, "severity": ...}``.

    Raises:
        ValueError: The entry is not one known check with a valid argument; the message
            names what was expected.
    """
    if not isinstance(entry, Mapping):
        raise ValueError(f'a check is an object such as {{"unique": ["id"]}}, got {entry!r}')
    rest = dict(entry)
    severity = rest.pop("severity", Severity.ERROR.value)
    if severity not in (Severity.ERROR.value, Severity.WARN.value):
        raise ValueError(f"severity must be 'error' or 'warn', got {severity!r}")
    if len(rest) != 1:
        names = ", ".join(map(repr, rest)) or "none"
        raise ValueError(f"a check names exactly one of {', '.join(CHECK_KINDS)} (got {names})")
    ((kind, argument),) = rest.items()
    if kind not in CHECK_KINDS:
        raise ValueError(
            f"unknown check '{kind}'{did_you_mean(kind, CHECK_KINDS)} "
            f"(checks: {', '.join(CHECK_KINDS)})"
        )
    check = _BUILDERS[kind](argument)
    return dataclasses.replace(check, severity=Severity(severity))


def merge_checks(declared: Sequence[Check], configured: Sequence[Check]) -> list[Check]:
    """Declared checks, each replaced by a configured one of the same identity, then the rest."""
    by_identity = {check.identity: check for check in configured}
    merged = [by_identity.pop(check.identity, check) for check in declared]
    return merged + [check for check in configured if check.identity in by_identity]


def _columns(kind: str, columns: Sequence[str]) -> tuple[str, ...]:
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise ValueError(f"{kind} needs one or more column names, got {list(columns)!r}")
    return tuple(columns)


def _column_list(kind: str, argument: object) -> tuple[str, ...]:
    if isinstance(argument, str):
        argument = [argument]
    if not isinstance(argument, list):
        raise ValueError(f"{kind} takes a column name or a list of them, got {argument!r}")
    return _columns(kind, argument)


def _object(kind: str, argument: object, keys: str) -> Mapping[str, Any]:
    if not isinstance(argument, Mapping):
        raise ValueError(f"{kind} takes an object with {keys}, got {argument!r}")
    return argument


def _accepted_values(argument: object) -> Check:
    spec = _object("accepted_values", argument, '"column" and "values"')
    unknown = sorted(set(spec) - {"column", "values"})
    if unknown:
        raise ValueError(f"accepted_values takes column and values, not {', '.join(unknown)}")
    column, values = spec.get("column"), spec.get("values")
    if not isinstance(column, str) or not column:
        raise ValueError('accepted_values needs a "column"')
    if not isinstance(values, list) or not values:
        raise ValueError(f'accepted_values on {column} needs a non-empty "values" list')
    return accepted_values(column, values)


def _row_count(argument: object) -> Check:
    spec = _object("row_count", argument, '"min" and/or "max"')
    unknown = sorted(set(spec) - {"min", "max"})
    if unknown:
        raise ValueError(f"row_count takes min and max, not {', '.join(unknown)}")
    bounds = {key: spec.get(key) for key in ("min", "max")}
    for key, value in bounds.items():
        if value is not None and (type(value) is not int or value < 0):
            raise ValueError(f"row_count's {key} must be a whole number >= 0, got {value!r}")
    return row_count(min=bounds["min"], max=bounds["max"])


def _expression(argument: object) -> Check:
    if not isinstance(argument, str):
        raise ValueError(f"expression takes a Spark SQL condition as text, got {argument!r}")
    return expression(argument)


def _relationships(argument: object) -> Check:
    spec = _object("relationships", argument, '"column", "to" and "field"')
    unknown = sorted(set(spec) - {"column", "to", "field"})
    if unknown:
        raise ValueError(f"relationships takes column, to and field, not {', '.join(unknown)}")
    column, to, other = spec.get("column"), spec.get("to"), spec.get("field")
    for key, value in (("column", column), ("to", to)):
        if not isinstance(value, str) or not value:
            raise ValueError(f'relationships needs "{key}"')
    if other is not None and (not isinstance(other, str) or not other):
        raise ValueError('relationships\' "field" must be a column name')
    return relationships(str(column), str(to), other)


_BUILDERS: dict[str, Callable[[object], Check]] = {
    "unique": lambda argument: unique(*_column_list("unique", argument)),
    "not_null": lambda argument: not_null(*_column_list("not_null", argument)),
    "accepted_values": _accepted_values,
    "row_count": _row_count,
    "expression": _expression,
    "relationships": _relationships,
}

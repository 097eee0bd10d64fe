"""The dates of a backfill and each date's config: the date field set, placeholders filled.

A backfill config is an ordinary job config whose string values may name the date::

    {"base_path": "data/filtered", "transform_output_path": "data/transformed/{run_date}"}

``{run_date}`` becomes the ISO date (``2026-11-24``); ``{run_date:%Y/%m/%d}`` takes a
strftime format. The date field (``run_date`` unless ``--date-field`` names another)
is itself set to each date, and placeholders may use its name as well as ``run_date``.
``{{`` and ``}}`` stand for literal braces. A placeholder naming anything else is a
:class:`~dwh.errors.UsageError` (exit 2) listing the names that are valid.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Iterable
from typing import Any

from dwh.errors import UsageError

DEFAULT_DATE_FIELD = "run_date"
MAX_DATES = 10_000
"""The most dates one backfill may span (over 27 years of days): each is planned,
validated and looked up in the run store before anything runs, so a typo such as
``--to 9999-12-31`` is refused at once instead of planning millions of dates."""
_FORMATTER = string.Formatter()


def parse_date(value: str | dt.date, *, name: str) -> dt.date:
    """Return a date given as ``YYYY-MM-DD`` text (or a date).

    Raises:
        UsageError: It is not such a date; the message names the option.
    """
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def date_range(start: dt.date, end: dt.date, *, backwards: bool = False) -> list[dt.date]:
    """Return every date from ``start`` to ``end``, both included; oldest first by default.

    Raises:
        UsageError: ``end`` is before ``start``, or the range spans more than
            :data:`MAX_DATES` dates.
    """
    if end < start:
        raise UsageError(f"--to {end.isoformat()} is before --from {start.isoformat()}")
    count = (end - start).days + 1
    if count > MAX_DATES:
        raise UsageError(
            f"--from {start.isoformat()} --to {end.isoformat()} spans {count:,} dates; "
            f"a backfill takes at most {MAX_DATES:,}: split it"
        )
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return days[::-1] if backwards else days


def check_date_field(fields: Iterable[str], date_field: str, *, job: str) -> None:
    """Refuse a job whose config model has no ``date_field``.

    Raises:
        UsageError: The model has no such field; the message lists the fields it has.
    """
    names = list(fields)
    if date_field not in names:
        hint = (
            f"; pass --date-field with one of: {', '.join(names)}"
            if names
            else "; its config has no fields"
        )
        raise UsageError(
            f"job '{job}' cannot be backfilled by date: its config has no field "
            f"'{date_field}'{hint}"
        )


def placeholder_names(date_field: str) -> tuple[str, ...]:
    """The names a placeholder may use: the date field and ``run_date``."""
    return tuple(sorted({date_field, DEFAULT_DATE_FIELD}))


def resolve_config(config: dict[str, Any], day: dt.date, *, date_field: str) -> dict[str, Any]:
    """Return the config for one date: placeholders filled, the date field set.

    Raises:
        UsageError: A placeholder names no date field or is malformed.
    """
    resolved = fill_placeholders(config, date_renderer(day), date_field=date_field)
    resolved[date_field] = day.isoformat()
    return resolved


def fill_placeholders(
    config: dict[str, Any], render: Callable[[str], str], *, date_field: str
) -> dict[str, Any]:
    """Return ``config`` with each date placeholder replaced by ``render(format)``.

    ``format`` is the placeholder's strftime format, ``""`` for a bare ``{run_date}``.
    :func:`resolve_config` renders a date; ``dwh deploy airflow`` renders Airflow's
    logical date as Jinja (``{{ ds }}``), so both read placeholders by the same rules.
    The date field itself is left as it is.

    Raises:
        UsageError: A placeholder names no date field or is malformed.
    """
    filled = _fill(config, render, placeholder_names(date_field), path="")
    assert isinstance(filled, dict)
    return filled


def check_templates(config: dict[str, Any], *, date_field: str) -> None:
    """Check every placeholder of ``config`` before any date runs.

    Raises:
        UsageError: A placeholder names no date field or is malformed.
    """
    resolve_config(config, dt.date(2000, 1, 1), date_field=date_field)


def date_renderer(day: dt.date) -> Callable[[str], str]:
    """What a placeholder becomes on ``day``: its strftime format applied, else the ISO date."""
    return lambda spec: day.strftime(spec) if spec else day.isoformat()


def _fill(value: Any, render: Callable[[str], str], names: tuple[str, ...], *, path: str) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, render, names, path=_join(path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, render, names, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and ("{" in value or "}" in value):
        return _format(value, render, names, path=path)
    return value


def _format(text: str, render: Callable[[str], str], names: tuple[str, ...], *, path: str) -> str:
    valid = ", ".join("{" + name + "}" for name in names)
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise UsageError(
            f"config field '{path}': malformed placeholder in {text!r} ({exc}); "
            f"use {valid}, or {{{{ and }}}} for literal braces"
        ) from None
    out: list[str] = []
    for literal, field, spec, conversion in parts:
        out.append(literal)
        if field is None:
            continue
        if field not in names or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + "}"
            raise UsageError(
                f"config field '{path}': placeholder {shown} names no date field; "
                f"valid placeholders: {valid} (with an optional strftime format, "
                f"e.g. {{{names[0]}:%Y/%m/%d}})"
            )
        out.append(render(spec or ""))
    return "".join(out)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)

"""Which columns identify a row, so two versions' rows can be matched.

In order: ``--key``; else the output's declared unique check (an error-severity
``unique`` among the job factory's ``output_checks`` for that output, merged with the
run config's ``output_checks`` as the audit merges them: :func:`declared_unique_key`);
else the job factory's ``diff_keys`` declaration, for outputs without such a check;
else no key, and whole rows are compared as multisets.

A ``unique`` check of severity ``warn`` is not taken: the run publishes its output even
when it fails, so the key may repeat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dwh.diff._model import KeySource
from dwh.errors import DiffKeyError, DwhError

if TYPE_CHECKING:
    from dwh.jobs.abstract_job_factory import AbstractJobFactory


def parse_key(text: str | None) -> tuple[str, ...] | None:
    """``"a,b"`` to ``("a", "b")``; None or blank to None.

    Raises:
        DiffKeyError: A name in the list is empty (``"a,,b"``).
    """
    if text is None or not text.strip():
        return None
    names = tuple(part.strip() for part in text.split(","))
    if not all(names):
        raise DiffKeyError(f"--key {text!r} has an empty column name; give COL[,COL...]")
    return names


def choose_key(
    given: Sequence[str] | None,
    *,
    job: str | None,
    output: str | None,
    config: Mapping[str, Any] | None = None,
) -> tuple[tuple[str, ...], KeySource]:
    """Return the key to match rows on and where it came from.

    Args:
        given: ``--key``, or None.
        job: The job that wrote the output, when known.
        output: The run's name for the output, when known.
        config: That run's config (its ``output_checks`` may add a unique check).
    """
    if given:
        return tuple(given), KeySource.OPTION
    factory = _factory(job) if output is not None else None
    if factory is None or output is None:
        return (), KeySource.NONE
    unique = declared_unique_key(factory, output, config)
    if unique:
        return unique, KeySource.UNIQUE_CHECK
    declared = factory.diff_keys.get(output)
    if declared:
        return tuple(declared), KeySource.JOB
    return (), KeySource.NONE


def declared_unique_key(
    factory: type[AbstractJobFactory[Any]], output: str, config: Mapping[str, Any] | None
) -> tuple[str, ...] | None:
    """The columns of the output's first error-severity ``unique`` check, if any.

    The factory's declared checks for ``output``, merged with the config's (the same
    merge the audit uses, :func:`dwh.checks.spec.merge_checks`); a config entry that does
    not parse is left out (the run that used it was refused).
    """
    from dwh.checks.spec import Severity, merge_checks, parse_check

    configured = []
    entries = ((config or {}).get("output_checks") or {}).get(output) or []
    for entry in entries:
        try:
            configured.append(parse_check(entry))
        except ValueError:
            continue
    for check in merge_checks(list(factory.output_checks.get(output, ())), configured):
        if check.kind == "unique" and check.severity == Severity.ERROR:
            return tuple(check.columns)
    return None


def _factory(job: str | None) -> type[AbstractJobFactory[Any]] | None:
    """The job's factory class (its module imports no pyspark); None when it is gone."""
    if job is None:
        return None
    from dwh.registry import find_job, load_factory

    try:
        return load_factory(find_job(job))
    except DwhError:
        return None

"""Which columns identify a row, so two versions' rows can be matched.

In order: ``--key``; else the output's declared unique check (the audited publish of
issue 22, not built yet: :func:`declared_unique_key` is its one hook); else the job
factory's ``diff_keys`` declaration (``filter_images`` declares ``content_hash``);
else no key, and whole rows are compared as multisets.
"""

from __future__ import annotations

from collections.abc import Sequence

from dwh.diff._model import KeySource
from dwh.errors import DiffKeyError, DwhError


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
    given: Sequence[str] | None, *, job: str | None, output: str | None
) -> tuple[tuple[str, ...], KeySource]:
    """Return the key to match rows on and where it came from."""
    if given:
        return tuple(given), KeySource.OPTION
    unique = declared_unique_key(job, output)
    if unique:
        return unique, KeySource.UNIQUE_CHECK
    declared = job_key(job, output)
    if declared:
        return declared, KeySource.JOB
    return (), KeySource.NONE


def declared_unique_key(job: str | None, output: str | None) -> tuple[str, ...] | None:
    """The columns the output's declared unique check names, once checks exist.

    The hook for the audited publish (issue 22): when an output can declare
    ``unique: [col, ...]``, return those columns here. Until then there are none.
    """
    return None


def job_key(job: str | None, output: str | None) -> tuple[str, ...] | None:
    """The key the job's factory declares for ``output`` (its ``diff_keys``), if any.

    The factory module is imported (it imports no pyspark at module level); a job that
    is gone or no longer imports has no key.
    """
    if job is None or output is None:
        return None
    from dwh.registry import find_job, load_factory

    try:
        factory = load_factory(find_job(job))
    except DwhError:
        return None
    declared = factory.diff_keys.get(output)
    return tuple(declared) if declared else None

"""What changed: diff a run's output against the version it replaced.

::

    from dwh.diff import diff
    found = diff("20261125T183000Z-a1b2c3", output="output_path")   # against its baseline
    found = diff("out/images", against="/tmp/golden", key=["image_id"])
    found.summary_line()   # 'output_path: 920 → 905 rows (-15), 31 changed in 'width''
    found.to_json()        # the shape docs/diff.md gives

Every commit keeps the version it replaced beside the output folder, hidden, until the
next commit (:mod:`dwh.services.atomic_commit`, ``DWH_KEEP_VERSIONS``); that is the
baseline. Local Parquet, CSV and JSON-lines data are read and compared with pyarrow
(:mod:`dwh.diff._compare`), without a JVM and without pandas; a remote URI needs a
``remote`` reader (the CLI passes the Spark one, which uses the warm server when it runs).

This package imports neither pyspark nor pandas; pyarrow when data is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dwh.diff._baseline import PREVIOUS, Version, resolve_pair
from dwh.diff._key import choose_key, declared_unique_key, parse_key
from dwh.diff._model import ColumnChange, Diff, KeySource, SchemaDiff, Side
from dwh.errors import PreviewTargetError
from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from dwh.runs.store import RunStore

__all__ = [
    "DEFAULT_LIMIT",
    "PREVIOUS",
    "ColumnChange",
    "Diff",
    "DiffWithRows",
    "KeySource",
    "RemoteTableReader",
    "SchemaDiff",
    "Side",
    "choose_key",
    "declared_unique_key",
    "diff",
    "diff_with_rows",
    "parse_key",
]

DEFAULT_LIMIT = 10
"""How many sample changed rows a diff keeps by default."""

RemoteTableReader = Callable[[str], "pa.Table"]
"""Reads a remote URI whole: :func:`dwh.preview.spark.read_table_with_spark`."""


@dataclass(frozen=True)
class DiffWithRows:
    """A diff and every changed row, for notebooks and the TUI.

    Attributes:
        diff: The diff.
        changed: One row per changed row (by key): the key columns, then
            ``<column>_old`` and ``<column>_new`` for each column that changed anywhere.
            Without a key, the rows only on one side, with a ``_side`` column.
    """

    diff: Diff
    changed: pa.Table


def diff(
    target: str,
    *,
    output: str | None = None,
    against: str = PREVIOUS,
    key: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    store: RunStore | None = None,
    remote: RemoteTableReader | None = None,
) -> Diff:
    """Compare TARGET's version with its baseline (or with ``against``).

    Args:
        target: A run id (one of its outputs, see ``output``) or a path.
        output: Which of the run's outputs; needed when it recorded several.
        against: ``previous`` (the version TARGET's commit replaced), a run id whose
            version is still kept, or a path to any dataset.
        key: Columns that identify a row; by default the output's declared unique
            check (``output_checks``), else the job's ``diff_keys``, else none
            (whole-row multisets).
        limit: How many sample changed rows to keep.
        store: The run store; by default the environment's.
        remote: Reads remote URIs whole; without it a remote side is an error.

    Raises:
        PreviewTargetError: An unknown run or path, or a wrong ``output``.
        DiffTargetError: No previous version is kept, or ``against`` names nothing.
        DiffKeyError: A key column is missing on a side, or the key is not unique.
        DataReadError: A side is corrupt or unreadable.
    """
    return diff_with_rows(
        target,
        output=output,
        against=against,
        key=key,
        limit=limit,
        store=store,
        remote=remote,
        rows=False,
    ).diff


def diff_with_rows(
    target: str,
    *,
    output: str | None = None,
    against: str = PREVIOUS,
    key: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    store: RunStore | None = None,
    remote: RemoteTableReader | None = None,
    rows: bool = True,
) -> DiffWithRows:
    """:func:`diff`, plus a table of every changed row (see :class:`DiffWithRows`).

    Raises:
        The same errors as :func:`diff`.
    """
    if limit < 0:
        raise PreviewTargetError(f"--limit must be 0 or more, got {limit}")
    from dwh.preview import open_store

    opened = store is None
    if opened:
        store = open_store()
    try:
        pair = resolve_pair(target, output=output, against=against, store=store)
    finally:
        if opened and store is not None:
            store.close()
    chosen, source = choose_key(key, job=pair.job, output=pair.output, config=pair.config)
    old_format, old = _read(pair.old, remote)
    new_format, new = _read(pair.new, remote)
    from dwh.diff._compare import compare

    found = compare(old, new, chosen, limit)
    result = Diff(
        old=Side(pair.old.label, pair.old.path, pair.old.run_id, old_format, old.num_rows),
        new=Side(pair.new.label, pair.new.path, pair.new.run_id, new_format, new.num_rows),
        schema=found.schema,
        key=chosen,
        key_source=source,
        only_old=found.only_old,
        only_new=found.only_new,
        both=found.both,
        changed_rows=found.changed_rows,
        columns=found.columns,
        samples=found.samples,
        output=pair.output,
    )
    from dwh.diff._rows import changed_table

    table = changed_table(old, new, found, chosen, rows=rows)
    return DiffWithRows(result, table)


def _read(version: Version, remote: RemoteTableReader | None) -> tuple[str, pa.Table]:
    local = local_path(version.path)
    if local is None:
        if remote is None:
            raise PreviewTargetError(
                f"{version.path} is not a local path: diff it with `dwh diff`, which reads "
                "it through Spark"
            )
        from pathlib import PurePosixPath

        from dwh.preview import format_of

        return format_of(PurePosixPath(version.path.rstrip("/"))) or "parquet", remote(version.path)
    from dwh.preview import read_table

    layout, table = read_table(local)
    return layout.format, table

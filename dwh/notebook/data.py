"""``preview(run_or_path)`` and ``diff(run_or_path)``: outputs as pandas, for a notebook."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.diff import DEFAULT_LIMIT as DIFF_LIMIT
from dwh.diff import PREVIOUS
from dwh.preview import DEFAULT_LIMIT
from dwh.preview import preview as _preview

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

    from dwh.diff import Diff
    from dwh.runs.store import RunStore


def preview(
    run_or_path: str | Path,
    limit: int = DEFAULT_LIMIT,
    *,
    output: str | None = None,
    store: RunStore | None = None,
) -> pd.DataFrame:
    """Return the first rows of a path or of a run's output, as ``dwh preview`` shows them.

    The DataFrame's ``attrs`` carry the rest of the preview: ``path``, ``format``,
    ``row_count`` (exact, for the whole dataset), ``schema`` (a list of
    ``{"name", "type"}``) and ``partition_columns``.

    Args:
        run_or_path: A file or folder, or a run id from the run store.
        limit: How many rows to bring back.
        output: Which of the run's outputs, when it recorded several.
        store: The run store; by default the environment's.

    Raises:
        PreviewTargetError: A missing path, unknown run id or output, no outputs.
        DataReadError: The data is corrupt or unreadable.
    """
    from dwh.preview.spark import preview_with_spark

    shown = _preview(
        run_or_path, output=output, limit=limit, store=store, remote=preview_with_spark
    )
    frame = shown.table.to_pandas()
    frame.attrs.update(
        path=shown.path,
        format=shown.format,
        row_count=shown.row_count,
        schema=[{"name": c.name, "type": c.type} for c in shown.schema],
        partition_columns=list(shown.partition_columns),
    )
    return frame


@dataclass(frozen=True)
class NotebookDiff:
    """What :func:`diff` returns; unpacks as ``summary, changed = diff(...)``.

    Attributes:
        summary: The one-line summary ``dwh run`` prints.
        changed: Every changed row (by key): the key columns, then ``<column>_old`` and
            ``<column>_new`` for each column that changed; without a key, the sample
            rows only on one side, with a ``_side`` column.
        diff: The whole diff (schema, counts, per-column shares, samples, ``to_json()``).
    """

    summary: str
    changed: pd.DataFrame
    diff: Diff

    def __iter__(self) -> Iterator[Any]:
        return iter((self.summary, self.changed))


def diff(
    run_or_path: str | Path,
    *,
    output: str | None = None,
    against: str = PREVIOUS,
    key: Sequence[str] | str | None = None,
    limit: int = DIFF_LIMIT,
    store: RunStore | None = None,
) -> NotebookDiff:
    """What a run changed in its output, as ``dwh diff`` says it, with the changed rows.

    Args:
        run_or_path: A run id from the run store, or a path.
        output: Which of the run's outputs, when it recorded several.
        against: ``previous`` (the version the run replaced), a run id, or a path.
        key: Columns that identify a row (a list, or ``"a,b"``); by default the job's.
        limit: How many sample rows the diff keeps (the DataFrame has every changed row).
        store: The run store; by default the environment's.

    Raises:
        PreviewTargetError: An unknown run or path.
        DiffTargetError: No previous version is kept.
        DiffKeyError: A key column is missing, or the key is not unique.
        DataReadError: The data is corrupt or unreadable.
    """
    from dwh.diff import diff_with_rows, parse_key
    from dwh.preview.spark import read_table_with_spark

    columns = parse_key(key) if isinstance(key, str) else key
    found = diff_with_rows(
        str(run_or_path),
        output=output,
        against=against,
        key=columns,
        limit=limit,
        store=store,
        remote=read_table_with_spark,
    )
    return NotebookDiff(found.diff.summary_line(), found.changed.to_pandas(), found.diff)

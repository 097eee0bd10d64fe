"""``preview(run_or_path)``: a job's output as a pandas DataFrame, for display in a notebook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dwh.preview import DEFAULT_LIMIT
from dwh.preview import preview as _preview

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

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

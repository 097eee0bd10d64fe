"""Write previewed rows to a file, and count a column's values over a whole dataset."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from dwh.errors import DataReadError, PreviewTargetError
from dwh.preview._layout import FORMATS
from dwh.preview._model import jsonable, table_rows

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from dwh.preview._layout import Layout


def export_rows(table: pa.Table, path: str | Path, fmt: str) -> Path:
    """Write ``table`` to ``path`` as CSV (with a header), JSON lines or Parquet.

    Returns:
        The path written.

    Raises:
        PreviewTargetError: ``fmt`` is not one of :data:`FORMATS`.
        DataReadError: The file cannot be written.
    """
    if fmt not in FORMATS:
        raise PreviewTargetError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            pq.write_table(table, target)
        elif fmt == "csv":
            import pyarrow.csv as pacsv  # type: ignore[import-untyped]

            pacsv.write_csv(table, target)
        else:
            with target.open("w", encoding="utf-8") as handle:
                for row in table_rows(table):
                    handle.write(json.dumps(jsonable(row)) + "\n")
    except OSError as exc:
        raise DataReadError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def value_counts(layout: Layout, column: str) -> list[tuple[str, int]]:
    """Count each value of ``column`` over the whole dataset, most frequent first.

    Reads that one column only (rejects outputs are small; a whole batch is not).

    Raises:
        DataReadError: The dataset can't be read, or has no such column.
    """
    from dwh.preview._arrow import read_column

    counts: Counter[str] = Counter()
    for chunk in read_column(layout, column).chunks:
        counts.update("null" if v is None else str(v) for v in chunk.to_pylist())
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

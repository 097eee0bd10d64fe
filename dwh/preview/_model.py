"""What a preview is: a dataset's path, format, exact row count, schema and first rows."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

DEFAULT_LIMIT = 20
"""Rows shown when no limit is given."""


@dataclass(frozen=True)
class Column:
    """One column of a previewed dataset.

    Attributes:
        name: The column name.
        type: Its type as Arrow spells it (``int64``, ``string``, ``timestamp[us, tz=UTC]``).
    """

    name: str
    type: str


@dataclass(frozen=True)
class Preview:
    """A dataset's schema, exact row count and first rows.

    Attributes:
        path: The file or folder previewed.
        format: ``parquet``, ``csv`` or ``json`` (JSON lines).
        row_count: The exact number of rows in the whole dataset.
        schema: Its columns, partition columns last.
        table: The first rows as an Arrow table (for export and sorting).
        partition_columns: The hive partition columns (``year``, ``month``, ...), if any.
        files: How many data files hold the rows.
    """

    path: str
    format: str
    row_count: int
    schema: list[Column]
    table: pa.Table = field(repr=False)
    partition_columns: tuple[str, ...] = ()
    files: int = 1

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The first rows as JSON-ready dicts (times as ISO-8601, bytes as base64)."""
        return [{k: jsonable(v) for k, v in row.items()} for row in self.table.to_pylist()]

    def to_json(self) -> dict[str, Any]:
        """Return the ``dwh preview --json`` object: path, format, row_count, schema, rows."""
        return {
            "path": self.path,
            "format": self.format,
            "row_count": self.row_count,
            "schema": [{"name": c.name, "type": c.type} for c in self.schema],
            "rows": self.rows,
        }


def columns_of(schema: pa.Schema) -> list[Column]:
    """Return the columns of an Arrow schema."""
    return [Column(f.name, str(f.type)) for f in schema]


def jsonable(value: Any) -> Any:
    """Return ``value`` as something :func:`json.dumps` writes faithfully."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value

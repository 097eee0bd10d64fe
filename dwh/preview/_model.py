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
SAMPLE_FORMAT = "sample"
"""The :attr:`Preview.format` of rows given in memory (a check's failing samples)."""
_EPOCH = dt.datetime(1970, 1, 1)


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
        return [{k: jsonable(v) for k, v in row.items()} for row in table_rows(self.table)]

    def to_json(self) -> dict[str, Any]:
        """Return the ``dwh preview --json`` object: path, format, row_count, schema, rows."""
        return {
            "path": self.path,
            "format": self.format,
            "row_count": self.row_count,
            "schema": [{"name": c.name, "type": c.type} for c in self.schema],
            "rows": self.rows,
        }


def table_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Return an Arrow table's rows as Python dicts, without importing pandas.

    pyarrow turns a time-zoned timestamp into Python through pandas when pandas is
    installed, and importing pandas costs more than a whole preview should. Such
    columns are read as plain UTC timestamps and given their zone here.
    """
    columns = {name: _column_values(table.column(name)) for name in table.column_names}
    return [{name: values[i] for name, values in columns.items()} for i in range(table.num_rows)]


def _column_values(column: Any) -> list[Any]:
    kind = column.type
    tz = getattr(kind, "tz", None)
    nanos = getattr(kind, "unit", None) == "ns" and str(kind).startswith("timestamp")
    if not tz and not nanos:
        return list(column.to_pylist())
    import pyarrow as pa

    zone = _zone(tz) if tz else None
    values: list[Any] = []
    for chunk in column.chunks:
        if nanos:  # to microseconds by hand: pyarrow would make pandas Timestamps
            naive = [
                None if v is None else _EPOCH + dt.timedelta(microseconds=v // 1000)
                for v in chunk.view(pa.int64()).to_pylist()
            ]
        else:
            naive = chunk.view(pa.timestamp(kind.unit)).to_pylist()
        if zone is None:
            values.extend(naive)
        else:
            values.extend(
                None if v is None else v.replace(tzinfo=dt.UTC).astimezone(zone) for v in naive
            )
    return values


def _zone(name: str) -> dt.tzinfo:
    """A tzinfo from Arrow's ``tz``: ``UTC``, an IANA name, or an offset like ``+01:00``."""
    if name.upper() in ("UTC", "Z", "+00:00"):
        return dt.UTC
    if name[:1] in "+-" and ":" in name:
        hours, minutes = name[1:].split(":")
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
        return dt.timezone(-offset if name[0] == "-" else offset)
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


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

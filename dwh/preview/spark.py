"""Read a path pyarrow can't (``s3://``, ``hdfs://``, ...) through a Spark session.

The warm Spark Connect server is used when one runs (``dwh.spark``), else a local
session is built. pyspark is imported here only, when such a path is previewed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dwh.errors import DataReadError, first_line
from dwh.preview._layout import format_of
from dwh.preview._model import Column, Preview
from dwh.spark.status import server_status

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.sql import DataFrame, SparkSession


def preview_with_spark(path: str, limit: int, *, spark: SparkSession | None = None) -> Preview:
    """Preview ``path`` with Spark: its format from the name, else Parquet.

    Args:
        path: Any URI the session's Hadoop file systems can read.
        limit: How many rows to bring back.
        spark: The session to use; by default the warm server's, or a local one.

    Raises:
        DataReadError: Spark cannot start, or cannot read the path.
    """
    fmt = _format(path)
    try:
        session = spark or _session()
    except Exception as exc:  # no Java, a server that refused: pyspark's own classes
        line = first_line(exc)
        raise DataReadError(f"cannot start Spark to read {path}: {line}") from exc
    try:
        frame = _load(session, fmt, path)
        row_count = frame.count()
        table = frame.limit(limit).toArrow()
        schema = [Column(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
    except Exception as exc:  # Spark raises its own classes for a missing or bad path
        line = first_line(exc)
        raise DataReadError(f"cannot read {fmt} at {path} with Spark: {line}") from exc
    return Preview(path=path, format=fmt, row_count=row_count, schema=schema, table=table)


def read_table_with_spark(path: str, *, spark: SparkSession | None = None) -> pa.Table:
    """Read the whole dataset at ``path`` with Spark into one Arrow table (for ``dwh diff``).

    Raises:
        DataReadError: Spark cannot read the path.
    """
    fmt = _format(path)
    session = spark or _session()
    try:
        return _load(session, fmt, path).toArrow()
    except Exception as exc:  # Spark raises its own classes for a missing or bad path
        line = first_line(exc)
        raise DataReadError(f"cannot read {fmt} at {path} with Spark: {line}") from exc


def _format(path: str) -> str:
    from pathlib import PurePosixPath

    return format_of(PurePosixPath(path.rstrip("/"))) or "parquet"


def _load(session: SparkSession, fmt: str, path: str) -> DataFrame:
    reader = session.read.format(fmt)
    if fmt == "csv":
        reader = reader.option("header", "true").option("inferSchema", "true")
    return reader.load(path)


def _session() -> SparkSession:
    from dwh.spark.session import get_spark_session

    status = server_status()
    warm = str(status.url) if status.running and status.url else None
    return get_spark_session("dwh-preview", remote=warm)

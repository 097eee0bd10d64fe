"""Spark readers: parquet datasets and JSON-lines text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType


class ParquetReader:
    """Reads a parquet dataset (a file or a folder, partitioned or not).

    Args:
        spark: The session to read with.
    """

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def read(self, path: str) -> DataFrame:
        """Return the dataset at ``path``."""
        return self.spark.read.parquet(path)


class JsonLinesReader:
    """Reads JSON lines as raw text, one row per line in a ``value`` column.

    Raw text rather than ``spark.read.json`` keeps every line, malformed ones
    included, so a job can reject them with a reason instead of losing them.

    Args:
        spark: The session to read with.
    """

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def read(self, path: str) -> DataFrame:
        """Return one row per line of the file, or of every file in the folder."""
        return self.spark.read.text(path)


class DatePartitionedReader:
    """Reads a parquet dataset partitioned by integer ``year``, ``month`` and ``day``.

    Only the partitions in the requested window are listed and read: the filter uses
    the partition columns alone, so Spark prunes partitions before touching files.

    Args:
        spark: The session to read with.
        schema: The columns to read (a DDL string or StructType), partition columns
            included. Given, Spark reads no file footers to infer it, and files outside
            the window are never opened. Default: inferred.
    """

    def __init__(self, spark: SparkSession, schema: StructType | str | None = None) -> None:
        self.spark = spark
        self.schema = schema

    def read_window(
        self, base_path: str, *, start: dt.date | None, end: dt.date
    ) -> DataFrame | None:
        """Return the rows dated in ``[start, end)`` (all before ``end`` when start is None).

        Returns:
            The rows, or None when ``base_path`` holds no data yet.
        """
        from pyspark.errors import AnalysisException
        from pyspark.sql import functions as F

        local = local_path(base_path)
        if local is not None and not local.exists():
            return None  # nothing written yet; asking Spark would log a stack trace
        try:
            reader = self.spark.read
            if self.schema is not None:
                reader = reader.schema(self.schema)
            frame = reader.parquet(base_path)
        except AnalysisException as exc:
            if "PATH_NOT_FOUND" in str(exc) or "UNABLE_TO_INFER_SCHEMA" in str(exc):
                return None
            raise
        day = F.make_date(F.col("year"), F.col("month"), F.col("day"))
        condition = day < F.lit(end)
        if start is not None:
            condition = condition & (day >= F.lit(start))
        return frame.where(condition)

"""Spark loaders: write a DataFrame as parquet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class ParquetLoader:
    """Writes a DataFrame as parquet, replacing what is at the path.

    Args:
        partition_by: Columns to partition the output by.
    """

    def __init__(self, partition_by: Sequence[str] = ()) -> None:
        self.partition_by = list(partition_by)

    def load(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` to ``path``."""
        writer = frame.write.mode("overwrite")
        if self.partition_by:
            writer = writer.partitionBy(*self.partition_by)
        writer.parquet(path)

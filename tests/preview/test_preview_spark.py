"""Paths pyarrow can't read go through Spark; here a local folder stands in for s3://."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from preview_datasets import ROWS, sample_table

from dwh.errors import DataReadError
from dwh.preview.spark import preview_with_spark


@pytest.mark.spark
def test_spark_reads_what_pyarrow_counts(spark, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    pq.write_table(sample_table().slice(0, 70), folder / "part-00000.parquet")
    pq.write_table(sample_table().slice(70), folder / "part-00001.parquet")
    shown = preview_with_spark(f"file://{folder}", 5, spark=spark)
    assert (shown.format, shown.row_count, shown.table.num_rows) == ("parquet", ROWS, 5)
    assert [c.name for c in shown.schema] == ["id", "name", "score", "at"]
    assert shown.schema[0].type == "bigint"


@pytest.mark.spark
def test_spark_failure_is_one_data_read_error(spark, tmp_path: Path) -> None:
    with pytest.raises(DataReadError, match=r"cannot read parquet at file://.* with Spark"):
        preview_with_spark(f"file://{tmp_path}/missing", 5, spark=spark)

"""Remote sides: read whole by the reader the caller passes (the CLI passes Spark's)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from diff_data import edited, expected_by_key, old_rows, write_files

from dwh.diff import diff
from dwh.errors import DiffTargetError, PreviewTargetError
from dwh.runs.store import RunStore

TABLES = {
    "s3://bucket/images/v1": pa.Table.from_pylist(old_rows()),
    "s3://bucket/images/v2": pa.Table.from_pylist(edited(old_rows())),
}


def test_remote_sides_are_read_by_the_given_reader(store: RunStore) -> None:
    found = diff(
        "s3://bucket/images/v2", against="s3://bucket/images/v1", key=["id"], remote=TABLES.get
    )
    want = expected_by_key(old_rows(), edited(old_rows()), "id")
    assert (found.only_old, found.only_new, found.changed_rows) == (
        want["only_old"],
        want["only_new"],
        want["changed"],
    )
    assert found.old.format == found.new.format == "parquet"


def test_a_remote_output_keeps_no_previous_version_and_needs_a_reader(store: RunStore) -> None:
    with pytest.raises(DiffTargetError, match="is remote and keeps no previous version"):
        diff("s3://bucket/images/v2", remote=TABLES.get)
    with pytest.raises(PreviewTargetError, match="is not a local path"):
        diff("s3://bucket/images/v2", against="s3://bucket/images/v1")


@pytest.mark.spark
def test_read_table_with_spark_reads_a_whole_dataset(spark, tmp_path: Path) -> None:
    from dwh.preview.spark import read_table_with_spark

    write_files(tmp_path / "t", old_rows(), "parquet", partition_by=["day"])
    table = read_table_with_spark(f"file://{tmp_path / 't'}", spark=spark)
    assert table.num_rows == len(old_rows())
    assert sorted(table.column("id").to_pylist()) == sorted(r["id"] for r in old_rows())
    assert set(table.column_names) == {"id", "width", "camera", "day"}

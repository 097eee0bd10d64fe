"""ParquetLoader's commit for non-local file systems, through the Hadoop FileSystem API."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.services import atomic_commit
from dwh.services.loaders import ParquetLoader


def test_hadoop_commit_replaces_the_target_and_leaves_nothing_behind(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treat the local folder as a remote file system, so load() takes the Hadoop route.
    monkeypatch.setattr(atomic_commit, "local_path", lambda path: None)
    target = f"file://{tmp_path}/out"
    loader = ParquetLoader()
    loader.load(spark.createDataFrame([(1,), (2,)], "n INT"), target)
    loader.load(spark.createDataFrame([(3,)], "n INT"), target)
    assertDataFrameEqual(spark.read.parquet(target), spark.createDataFrame([(3,)], "n INT"))
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

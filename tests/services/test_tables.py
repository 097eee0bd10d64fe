"""Catalog tables: create, overwrite partitions, overwrite, append and read back."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.errors import JobContractError, JobFailedError
from dwh.services.tables import TableLoader, TableReader
from dwh.spark.conf import local_catalog_settings

SCHEMA = "id int, name string, day date"
D1, D2 = dt.date(2026, 11, 24), dt.date(2026, 11, 25)


@pytest.fixture
def table(spark: SparkSession, tmp_path: Path) -> str:
    """A fresh table name in a database whose files live in ``tmp_path``."""
    database = f"t_{uuid.uuid4().hex[:8]}"
    spark.sql(f"CREATE DATABASE {database} LOCATION '{tmp_path / 'db'}'")
    yield f"{database}.events"
    spark.sql(f"DROP DATABASE {database} CASCADE")


def test_a_partition_is_overwritten_and_the_others_are_kept(
    spark: SparkSession, table: str
) -> None:
    loader = TableLoader(partition_by=["day"])
    loader.load(spark.createDataFrame([(1, "a", D1), (2, "b", D2)], SCHEMA), table)

    # Columns in another order: they are matched by name.
    loader.load(spark.createDataFrame([("c", D1, 3)], "name string, day date, id int"), table)

    expected = spark.createDataFrame([(3, "c", D1), (2, "b", D2)], SCHEMA)
    reader = TableReader(spark)
    assertDataFrameEqual(reader.read(table), expected)
    assert reader.table == loader.table == table
    only_d2 = TableReader(spark, where=f"day = DATE'{D2}'").read(table)
    assertDataFrameEqual(only_d2, spark.createDataFrame([(2, "b", D2)], SCHEMA))


def test_overwrite_replaces_the_table_and_append_adds(spark: SparkSession, table: str) -> None:
    TableLoader(partition_by=["day"]).load(
        spark.createDataFrame([(1, "a", D1), (2, "b", D2)], SCHEMA), table
    )

    TableLoader(mode="overwrite").load(spark.createDataFrame([(3, "c", D1)], SCHEMA), table)
    TableLoader(mode="append").load(spark.createDataFrame([(4, "d", D1)], SCHEMA), table)

    expected = spark.createDataFrame([(3, "c", D1), (4, "d", D1)], SCHEMA)
    assertDataFrameEqual(TableReader(spark).read(table), expected)


def test_a_failing_write_leaves_the_table_as_it_was(spark: SparkSession, table: str) -> None:
    from pyspark.sql import functions as F

    TableLoader(partition_by=["day"]).load(spark.createDataFrame([(1, "a", D1)], SCHEMA), table)
    broken = spark.createDataFrame([(9, "z", D1)], SCHEMA).withColumn(
        "name", F.when(F.col("id") > 0, F.raise_error(F.lit("boom"))).otherwise(F.col("name"))
    )

    with pytest.raises(Exception, match="boom"):
        TableLoader().load(broken, table)

    assertDataFrameEqual(
        TableReader(spark).read(table), spark.createDataFrame([(1, "a", D1)], SCHEMA)
    )


def test_missing_tables_and_columns_fail_with_one_clear_line(
    spark: SparkSession, table: str
) -> None:
    with pytest.raises(JobFailedError, match=r"table .*events does not exist \(TableLoader"):
        TableLoader(create=False).load(spark.createDataFrame([(1, "a", D1)], SCHEMA), table)
    TableLoader().load(spark.createDataFrame([(1, "a", D1)], SCHEMA), table)
    with pytest.raises(JobFailedError, match="the frame lacks name"):
        TableLoader().load(spark.createDataFrame([(1, D1)], "id int, day date"), table)
    with pytest.raises(JobContractError, match="mode must be one of overwrite_partitions"):
        TableLoader(mode="upsert")  # type: ignore[arg-type]


def test_the_local_catalog_lives_under_dwh_home(tmp_path: Path) -> None:
    settings = local_catalog_settings(tmp_path)

    assert settings["spark.sql.catalogImplementation"] == "hive"
    assert settings["spark.sql.warehouse.dir"] == str(tmp_path / "catalog" / "warehouse")
    assert settings["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        f"jdbc:derby:;databaseName={tmp_path / 'catalog' / 'metastore_db'};create=true"
    )

"""CsvReader on real CSV files: a header in another order, malformed rows, the options."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.errors import CsvInputError, JobContractError
from dwh.jobs.abstract_job import AbstractJob
from dwh.services._csv import as_csv_error
from dwh.services.loaders import ParquetLoader
from dwh.services.readers import CsvReader

pytestmark = pytest.mark.spark

SCHEMA = "id INT, user_id INT, amount DECIMAL(10,2)"


def write(path: Path, text: str, encoding: str = "utf-8") -> str:
    path.write_text(text, encoding=encoding)
    return str(path)


class CopyJob(AbstractJob):
    """Reads a CSV and writes it as parquet: what a job does with a CsvReader."""

    def __init__(self, reader: CsvReader, **services: Any) -> None:
        super().__init__(**services)
        self.reader = reader

    def execute_job(self, input_path: str, output_path: str) -> dict[str, Any]:
        ParquetLoader().load(self.reader.read(input_path), output_path)
        return {}

    def on_success(self, results: Any) -> None:
        """Nothing."""

    def on_failure(self, error_message: str) -> None:
        """Nothing."""


def test_a_header_in_another_order_fails_in_one_line_naming_both(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.csv", "user_id,id,amount\n7,1,2.50\n")

    with pytest.raises(CsvInputError) as info:
        CsvReader(spark, schema=SCHEMA).read(path)

    assert str(info.value) == (
        f"CSV header of {path} does not match the schema's columns: the file has "
        "user_id, id, amount; the schema has id, user_id, amount (CsvReader reads by "
        "position, so columns would be swapped: give the schema in the file's order)"
    )
    assert "\n" not in str(info.value)
    assert CsvInputError.exit_code == 1


def test_every_file_of_a_folder_has_its_header_checked(spark: SparkSession, tmp_path: Path) -> None:
    folder = tmp_path / "orders"
    folder.mkdir()
    write(folder / "a.csv", "id,user_id,amount\n1,7,2.50\n")
    write(folder / "b.csv", "id,amount,user_id\n2,3.00,8\n")
    write(folder / "_SUCCESS", "")

    with pytest.raises(CsvInputError, match=r"b\.csv does not match .* id, amount, user_id;"):
        CsvReader(spark, schema=SCHEMA).read(str(folder))


def test_a_run_reading_a_swapped_header_fails_and_writes_nothing(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.csv", "user_id,id,amount\n7,1,2.50\n")
    out = tmp_path / "out"

    with pytest.raises(CsvInputError, match="does not match the schema's columns"):
        CopyJob(CsvReader(spark, schema=SCHEMA)).run(input_path=path, output_path=str(out))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]


def test_a_glob_is_checked_by_spark_when_it_is_read(spark: SparkSession, tmp_path: Path) -> None:
    write(tmp_path / "orders.csv", "user_id,id,amount\n7,1,2.50\n")

    frame = CsvReader(spark, schema=SCHEMA).read(str(tmp_path / "*.csv"))

    with pytest.raises(Exception, match="FAILED_READ_FILE"):
        frame.collect()


def test_a_malformed_row_fails_the_run_naming_the_file_and_line(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.csv", "id,user_id,amount\n1,7,2.50\n2,8,x\n3,9,4\n")
    out = tmp_path / "out"

    with pytest.raises(CsvInputError) as info:
        CopyJob(CsvReader(spark, schema=SCHEMA)).run(input_path=path, output_path=str(out))

    assert str(info.value) == (
        f"malformed CSV row in {path} line 3: '2,8,x' does not fit the schema (CsvReader "
        "mode='FAILFAST'; mode='PERMISSIVE' reads bad values as nulls, 'DROPMALFORMED' "
        "drops such rows)"
    )
    assert not out.exists()


def test_too_few_fields_is_malformed_too(spark: SparkSession, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.csv", "id,user_id,amount\n1,7\n")

    with pytest.raises(Exception) as info:
        CsvReader(spark, schema=SCHEMA).read(path).collect()

    error = as_csv_error(info.value)
    assert error is not None and "line 2: '1,7' does not fit" in str(error)


def test_permissive_reads_nulls_and_dropmalformed_drops(
    spark: SparkSession, tmp_path: Path
) -> None:
    path = write(tmp_path / "orders.csv", "id,user_id,amount\n1,7,2.50\n2,8,x\n")

    permissive = CsvReader(spark, schema=SCHEMA, mode="permissive").read(path)
    dropped = CsvReader(spark, schema=SCHEMA, mode="DROPMALFORMED").read(path)

    expected = [(1, 7, decimal.Decimal("2.50")), (2, 8, None)]
    assertDataFrameEqual(permissive, spark.createDataFrame(expected, SCHEMA))
    assertDataFrameEqual(dropped, spark.createDataFrame(expected[:1], SCHEMA))


def test_null_value_dates_timestamps_and_decimals(spark: SparkSession, tmp_path: Path) -> None:
    path = write(
        tmp_path / "events.csv",
        "id,day,at,price\n1,24/11/2026,24/11/2026 08:30,12.345\n2,NA,NA,NA\n",
    )
    schema = "id INT, day DATE, at TIMESTAMP, price DECIMAL(6,3)"

    frame = CsvReader(
        spark,
        schema=schema,
        null_value="NA",
        date_format="dd/MM/yyyy",
        timestamp_format="dd/MM/yyyy HH:mm",
    ).read(path)

    rows = [
        (1, dt.date(2026, 11, 24), dt.datetime(2026, 11, 24, 8, 30), decimal.Decimal("12.345")),
        (2, None, None, None),
    ]
    assertDataFrameEqual(frame, spark.createDataFrame(rows, schema))


def test_quote_escape_and_encoding(spark: SparkSession, tmp_path: Path) -> None:
    path = write(
        tmp_path / "names.csv",
        "id;name\n1;'Café; ''Le'' Bar'\n2;Zoë\n",
        encoding="iso-8859-1",
    )

    frame = CsvReader(
        spark,
        delimiter=";",
        schema="id INT, name STRING",
        quote="'",
        escape="'",
        encoding="ISO-8859-1",
    ).read(path)

    rows = [(1, "Café; 'Le' Bar"), (2, "Zoë")]
    assertDataFrameEqual(frame, spark.createDataFrame(rows, "id INT, name STRING"))


def test_bad_options_fail_at_construction_naming_them(spark: SparkSession) -> None:
    with pytest.raises(
        JobContractError, match="mode must be one of FAILFAST, PERMISSIVE, DROPMALFORMED, got 'x'"
    ):
        CsvReader(spark, mode="x")
    with pytest.raises(JobContractError, match="quote must be one character"):
        CsvReader(spark, quote="''")
    with pytest.raises(JobContractError, match="encoding must be a character set name"):
        CsvReader(spark, encoding=" ")

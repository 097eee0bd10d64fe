"""Every file reader and loader round-trips through a real Spark session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.errors import JobContractError
from dwh.services.atomic_commit import previous_versions
from dwh.services.loaders import CsvLoader, JsonLinesLoader, ParquetLoader
from dwh.services.readers import CsvReader, JsonReader, ParquetReader

SCHEMA = "id int, name string, score double, day date"
ROWS = [
    (1, "ada", 9.5, dt.date(2026, 11, 24)),
    (2, "bo, the second", 7.0, dt.date(2026, 11, 24)),
    (3, None, 1.25, dt.date(2026, 11, 25)),
]


@pytest.fixture
def frame(spark: SparkSession):  # type: ignore[no-untyped-def]
    return spark.createDataFrame(ROWS, SCHEMA)


def test_parquet_round_trips_and_a_second_load_replaces_the_first(
    spark: SparkSession, frame, tmp_path: Path
) -> None:
    path = str(tmp_path / "out")
    loader, reader = ParquetLoader(partition_by=["day"]), ParquetReader(spark)

    loader.load(frame.limit(1), path)
    loader.load(frame, path)

    assertDataFrameEqual(reader.read(path).select("id", "name", "score", "day"), frame)
    assert loader.path == reader.path == path


def test_csv_folder_round_trips_with_a_delimiter(
    spark: SparkSession, frame, tmp_path: Path
) -> None:
    path = str(tmp_path / "report")

    CsvLoader(delimiter=";").load(frame, path)
    back = CsvReader(spark, delimiter=";", schema=SCHEMA).read(path)

    assertDataFrameEqual(back, frame)
    assert (tmp_path / "report").is_dir()


def test_csv_single_file_is_one_file_with_a_header_and_is_replaced(
    spark: SparkSession, frame, tmp_path: Path
) -> None:
    path = tmp_path / "report.csv"
    loader = CsvLoader(single_file=True)

    loader.load(frame.limit(1), str(path))
    loader.load(frame, str(path))

    assert path.is_file()
    lines = path.read_text().splitlines()
    assert lines[0] == "id,name,score,day"
    assert len(lines) == 4
    [previous] = previous_versions(path)  # the replaced file, the baseline dwh diff reads
    assert len(previous.read_text().splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([previous.name, "report.csv"])
    assertDataFrameEqual(CsvReader(spark, schema=SCHEMA).read(str(path)), frame)


def test_csv_without_a_header_reads_back_with_a_schema(
    spark: SparkSession, frame, tmp_path: Path
) -> None:
    path = str(tmp_path / "plain")

    CsvLoader(header=False, delimiter="\t").load(frame, path)

    assertDataFrameEqual(
        CsvReader(spark, header=False, delimiter="\t", schema=SCHEMA).read(path), frame
    )


def test_a_failing_single_file_load_keeps_the_old_file(
    spark: SparkSession, frame, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    path = tmp_path / "report.csv"
    CsvLoader(single_file=True).load(frame, str(path))
    before = path.read_text()
    broken = frame.withColumn(
        "score", F.when(F.col("id") > 0, F.raise_error(F.lit("boom"))).otherwise(F.col("score"))
    )

    with pytest.raises(Exception, match="boom"):
        CsvLoader(single_file=True).load(broken, str(path))

    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_json_lines_round_trip(spark: SparkSession, frame, tmp_path: Path) -> None:
    path = str(tmp_path / "rows")

    JsonLinesLoader().load(frame, path)
    back = JsonReader(spark, schema=SCHEMA).read(path)

    assertDataFrameEqual(back, frame)
    first = next(p for p in (tmp_path / "rows").iterdir() if p.name.startswith("part-"))
    assert first.read_text().splitlines()[0].startswith('{"id":')


def test_bad_options_fail_at_construction_naming_them(spark: SparkSession) -> None:
    with pytest.raises(JobContractError, match="delimiter must be one character, got ';;'"):
        CsvLoader(delimiter=";;")
    with pytest.raises(JobContractError, match=r"single_file=True .* cannot be partitioned"):
        CsvLoader(single_file=True, partition_by=["day"])
    with pytest.raises(JobContractError, match="CsvReader delimiter"):
        CsvReader(spark, delimiter="")


def test_every_file_loader_returns_the_rows_it_wrote(
    spark: SparkSession, frame, tmp_path: Path
) -> None:
    loaders = {
        "parquet": ParquetLoader(),
        "csv": CsvLoader(),
        "report.csv": CsvLoader(single_file=True),
        "json": JsonLinesLoader(partition_by=["day"]),
    }

    for name, loader in loaders.items():
        assert loader.load(frame, str(tmp_path / name)) == 3, name
        assert loader.rows == 3
    assert ParquetLoader().load(frame.where("id > 99"), str(tmp_path / "empty")) == 0

"""filter_images on Spark: time zones, the lookback window, pruning, reruns and crashes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from filter_fakes import Row, image
from pyspark.sql import DataFrame, SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.jobs.filter_images.filter_images_job import FilterImagesJob, partition_path
from dwh.jobs.filter_images.filter_images_job_factory import FilterImagesJobFactory
from dwh.jobs.filter_images.filter_images_transformer import (
    HISTORY_SCHEMA,
    FilterImagesTransformer,
)
from dwh.services.loaders import ParquetLoader
from dwh.services.readers import DatePartitionedReader, ParquetReader
from dwh.testing import FixedClock

SCHEMA = (
    "image_id STRING, url STRING, content_hash STRING, width INT, height INT, "
    "captured_at TIMESTAMP, camera STRING"
)
RUN_DATE = dt.date(2026, 11, 24)
BATCH = [
    image("img-1", "a", "2026-11-24T23:30:00-08:00"),
    image("img-2", "a", "2026-11-25T07:30:00Z"),  # the same instant as img-1: img-1 wins
    image("img-0", "a", "2026-11-25T07:31:00Z"),  # smaller id, but later
    image("img-3", "b", "2026-11-24T10:00:00Z"),
    image("img-4", "c", "2026-11-24T10:00:00Z"),
    image("img-5", "d", "2026-11-24T10:00:00Z"),
]
HISTORY = {
    dt.date(2026, 11, 21): [image("old-1", "b", "2026-11-21T10:00:00Z")],  # run date - 3
    dt.date(2026, 11, 20): [image("old-2", "c", "2026-11-20T10:00:00Z")],  # run date - 4
    dt.date(2026, 11, 25): [image("later", "a", "2026-11-25T10:00:00Z")],  # a backfill
}


def frame(spark: SparkSession, rows: Sequence[Row]) -> DataFrame:
    return spark.createDataFrame([tuple(row.values()) for row in rows], SCHEMA)


def write(frame: DataFrame, path: str) -> None:
    ParquetLoader().load(frame, path)


def setup(spark: SparkSession, tmp_path: Path, batch: Sequence[Row] = BATCH) -> dict[str, Any]:
    transformed = str(tmp_path / "transformed")
    base = str(tmp_path / "filtered")
    write(frame(spark, batch), transformed)
    for day, rows in HISTORY.items():
        write(frame(spark, rows), partition_path(base, day))
    return {
        "base_path": base,
        "timezone": "America/Los_Angeles",
        "transform_output_path": transformed,
    }


def run(config: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any]:
    kwargs = {"filter_images_job": json.dumps(config), "run_id": "test-run"}
    factory = FilterImagesJobFactory(**kwargs)
    if now is not None:
        factory.clock = FixedClock(now)
    return factory.run(**kwargs)  # type: ignore[no-any-return]


def partition(spark: SparkSession, config: dict[str, Any], day: dt.date) -> DataFrame:
    base = spark.read.parquet(config["base_path"])
    return base.where(f"year = {day.year} AND month = {day.month} AND day = {day.day}")


def ids(frame: DataFrame) -> list[str]:
    return sorted(row.image_id for row in frame.select("image_id").collect())


def test_a_run_at_3am_utc_in_los_angeles_writes_the_24th(
    spark: SparkSession, tmp_path: Path
) -> None:
    config = setup(spark, tmp_path)
    metrics = run(
        {**config, "lookback_days": 3}, now=dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)
    )

    assert metrics["output_path"] == partition_path(config["base_path"], RUN_DATE)
    assert metrics["input_rows"] == 6
    assert metrics["duplicates_in_batch"] == 2
    assert metrics["duplicates_in_history"] == 1  # b, seen on the 21st
    assert metrics["output_rows"] == 3
    written = spark.read.parquet(config["base_path"]).where("day = 24")
    expected = spark.createDataFrame(
        [
            (*row.values(), 2026, 11, 24)
            for row in BATCH
            if row["image_id"] in {"img-1", "img-4", "img-5"}
        ],
        f"{SCHEMA}, year INT, month INT, day INT",
    )
    assertDataFrameEqual(written, expected)


def test_lookback_window_boundaries(spark: SparkSession, tmp_path: Path) -> None:
    config = {**setup(spark, tmp_path), "run_date": "2026-11-24"}
    # The 21st (run date - 3) is history; the 20th (- 4) is not; neither is the 25th.
    assert run({**config, "lookback_days": 3})["duplicates_in_history"] == 1
    assert ids(partition(spark, config, RUN_DATE)) == ["img-1", "img-4", "img-5"]
    # One day less: the 21st drops out of the window.
    assert run({**config, "lookback_days": 2})["duplicates_in_history"] == 0
    # 0 is all earlier partitions: the 20th and 21st, never the run date's own or the 25th.
    metrics = run({**config, "lookback_days": 0})
    assert metrics["duplicates_in_history"] == 2
    assert ids(partition(spark, config, RUN_DATE)) == ["img-1", "img-5"]


def test_history_read_prunes_partitions_outside_the_window(
    spark: SparkSession, tmp_path: Path
) -> None:
    config = setup(spark, tmp_path)
    base = config["base_path"]
    # A file that is not parquet, in a partition outside the window: reading it would fail.
    corrupt = Path(partition_path(base, dt.date(2026, 10, 1)))
    corrupt.mkdir(parents=True)
    (corrupt / "part-00000.parquet").write_bytes(b"not parquet")
    reader = DatePartitionedReader(spark, schema=HISTORY_SCHEMA)

    window = reader.read_window(base, start=dt.date(2026, 11, 21), end=RUN_DATE)
    assert window is not None
    plan = window._jdf.queryExecution().executedPlan().toString()
    assert "PartitionFilters: [" in plan and "make_date(year" in plan
    assert sorted(row.content_hash for row in window.collect()) == ["b"]

    everything = reader.read_window(base, start=None, end=RUN_DATE)
    assert everything is not None
    with pytest.raises(Exception, match=r"(?i)parquet"):
        everything.collect()  # the same read without the window does open the bad file


def test_a_rerun_writes_the_same_rows(spark: SparkSession, tmp_path: Path) -> None:
    config = {**setup(spark, tmp_path), "run_date": "2026-11-24", "lookback_days": 3}
    first_metrics = run(config)
    first = partition(spark, config, RUN_DATE).collect()
    second_metrics = run(config)
    assert second_metrics == first_metrics
    assertDataFrameEqual(partition(spark, config, RUN_DATE), first)


class CrashingLoader(ParquetLoader):
    """Writes part of the data to its staging folder, then fails, as a full disk would."""

    def write(self, frame: DataFrame, path: str) -> None:
        super().write(frame.limit(1), path)
        raise OSError(28, "No space left on device")


def hidden(folder: Path) -> list[str]:
    """Hidden leftovers of killed or failed runs (not the one kept previous version)."""
    return sorted(
        p.name for p in folder.iterdir() if p.name.startswith(".") and "dwh-previous" not in p.name
    )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_crash_during_load_leaves_the_earlier_partition_intact(
    spark: SparkSession, tmp_path: Path
) -> None:
    config = {**setup(spark, tmp_path), "run_date": "2026-11-24", "lookback_days": 3}
    run(config)
    before = partition(spark, config, RUN_DATE).collect()
    target = Path(partition_path(config["base_path"], RUN_DATE))

    other_batch = [image("img-7", "x", "2026-11-24T10:00:00Z")]
    write(frame(spark, other_batch), config["transform_output_path"])
    job = FilterImagesJob(
        batch_reader=ParquetReader(spark),
        history_reader=DatePartitionedReader(spark, schema=HISTORY_SCHEMA),
        transformer=FilterImagesTransformer(),
        loader=CrashingLoader(),
    )
    with pytest.raises(OSError, match="No space left"):
        job.run(
            transform_output_path=config["transform_output_path"],
            base_path=config["base_path"],
            run_date=RUN_DATE,
            lookback_days=3,
        )
    assertDataFrameEqual(partition(spark, config, RUN_DATE), before)
    assert hidden(target.parent) == []  # the staging folder was deleted

    # A run SIGKILLed mid-write leaves its hidden staging folder: readers never see it,
    # and the next run sweeps it.
    killed = target.parent / f".day=24.dwh-staging-{dead_pid()}-0dead"
    ParquetLoader().write(frame(spark, other_batch), str(killed))
    assertDataFrameEqual(partition(spark, config, RUN_DATE), before)
    assert run(config)["output_rows"] == 1
    assert ids(partition(spark, config, RUN_DATE)) == ["img-7"]
    assert hidden(target.parent) == []

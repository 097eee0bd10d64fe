"""filter_images written by hand in plain PySpark, as a user would without dwh: the baseline.

The same work as the dwh job: read the batch, keep the earliest row per
``content_hash`` (ties: smallest ``image_id``), drop hashes seen in the last
``lookback_days`` of partitions, write the run date's partition. No metrics, no events,
no staging folder: whatever the framework adds must show up as a difference.

Usage::

    spark-submit benchmarks/plain_filter.py TRANSFORMED BASE_PATH 2026-11-25 [LOOKBACK_DAYS]
"""

from __future__ import annotations

import datetime as dt
import sys

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F


def filter_images(
    spark: SparkSession, transformed: str, base_path: str, run_date: dt.date, lookback_days: int
) -> str:
    """Deduplicate ``transformed`` against history and write the run date's partition."""
    batch = spark.read.parquet(transformed)
    earliest = Window.partitionBy("content_hash").orderBy(F.col("captured_at"), F.col("image_id"))
    deduped = (
        batch.withColumn("_rank", F.row_number().over(earliest))
        .where(F.col("_rank") == 1)
        .drop("_rank")
    )
    day = F.make_date("year", "month", "day")
    history = (
        spark.read.schema("content_hash STRING, year INT, month INT, day INT")
        .parquet(base_path)
        .where((day < F.lit(run_date)) & (day >= F.lit(run_date - dt.timedelta(lookback_days))))
    )
    output = deduped.join(history.select("content_hash"), "content_hash", "left_anti")
    path = f"{base_path}/year={run_date.year}/month={run_date.month}/day={run_date.day}"
    output.select(*batch.columns).write.mode("overwrite").parquet(path)
    return path


if __name__ == "__main__":
    session = SparkSession.builder.appName("plain-filter").getOrCreate()
    transformed, base, date = sys.argv[1:4]
    lookback = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    filter_images(session, transformed, base, dt.date.fromisoformat(date), lookback)
    session.stop()

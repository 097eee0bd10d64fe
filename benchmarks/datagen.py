"""Generates a ``transform_images`` output and one day of ``filter_images`` history, with Spark.

The rows have the transform output's exact schema and the generator's proportions
(about 10% in-batch duplicates, half of them exact ties; about 10% of the batch already
in history), but are made by Spark from ``spark.range`` rather than by running
``examples.generate_images`` and ``transform_images``: that path parses every line in
Python and would take minutes at 10M rows on two cores. Both sides of every comparison
read the same files.

Usage (any Spark: ``python`` or ``spark-submit``)::

    python -m benchmarks.datagen --out /tmp/data --rows 1000000
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import HISTORY_DAY, SPARK_CONF


def generate(spark: object, out: Path, rows: int) -> tuple[Path, Path]:
    """Write ``out/transformed`` (the batch) and ``out/history`` (day before the run date)."""
    from pyspark.sql import functions as F

    unique = rows - rows // 10  # the last tenth repeats earlier hashes
    ids = spark.range(rows)  # type: ignore[attr-defined]
    hash_source = F.when(F.col("id") < unique, F.col("id")).otherwise((F.col("id") * 7919) % unique)
    seconds = F.when(
        (F.col("id") >= unique) & (F.col("id") % 2 == 0),
        (hash_source * 104729) % 14400,  # a tie: the original's very instant
    ).otherwise((F.col("id") * 104729) % 14400)
    batch = ids.select(
        F.format_string("img-%09d", F.col("id")).alias("image_id"),
        F.format_string(
            "https://cdn%d.example.com/photos/%d.jpg", F.col("id") % 3, F.col("id")
        ).alias("url"),
        F.sha2(hash_source.cast("string"), 256).alias("content_hash"),
        F.element_at(
            F.array(*map(F.lit, (640, 1280, 1920, 4032))), (F.col("id") % 4 + 1).cast("int")
        ).alias("width"),
        F.element_at(
            F.array(*map(F.lit, (480, 720, 1080, 3024))), (F.col("id") % 4 + 1).cast("int")
        ).alias("height"),
        (F.lit("2026-11-25 06:00:00").cast("timestamp") + F.make_interval(secs=seconds)).alias(
            "captured_at"
        ),
        F.element_at(
            F.array(F.lit("Pixel 8"), F.lit("iPhone 15"), F.lit("Canon EOS R6"), F.lit(None)),
            (F.col("id") % 4 + 1).cast("int"),
        ).alias("camera"),
    )
    transformed = out / "transformed"
    batch.write.mode("overwrite").parquet(str(transformed))
    # History: a tenth of the batch's hashes seen the day before, plus as many others.
    year, month, day = HISTORY_DAY
    history = spark.range(rows // 5).select(  # type: ignore[attr-defined]
        F.format_string("old-%09d", F.col("id")).alias("image_id"),
        F.lit("https://cdn0.example.com/old.jpg").alias("url"),
        F.sha2(
            F.when(F.col("id") % 2 == 0, F.col("id") * 9 % unique)
            .otherwise(-F.col("id") - 1)
            .cast("string"),
            256,
        ).alias("content_hash"),
        F.lit(640).alias("width"),
        F.lit(480).alias("height"),
        F.lit("2026-11-24 06:00:00").cast("timestamp").alias("captured_at"),
        F.lit(None).cast("string").alias("camera"),
    )
    history_root = out / "history"
    history.write.mode("overwrite").parquet(
        str(history_root / f"year={year}" / f"month={month}" / f"day={day}")
    )
    return transformed, history_root


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the data set given on the command line."""
    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args(argv)
    builder = SparkSession.builder.appName("dwh-bench-datagen").master("local[*]")
    for key, value in SPARK_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        generate(spark, args.out, args.rows)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The generated example data: what it contains, and that both jobs' metrics add up on it."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from pyspark.sql import SparkSession

from dwh.jobs.filter_images.filter_images_job_factory import main as filter_main
from dwh.jobs.filter_images.filter_images_rules import LocalFilterTransformer
from dwh.jobs.transform_images.transform_images_job_factory import main as transform_main
from dwh.jobs.transform_images.transform_images_local import LocalImagesTransformer
from dwh.registry import example_configs
from examples.generate_images import BAD_LINES, generate_batches, write_batches

DAYS = (dt.date(2026, 11, 24), dt.date(2026, 11, 25))
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def oracle(size: int) -> list[tuple[dict[str, int], dict[str, int], list[str]]]:
    """Per day: the transform counts, filter counts and kept ids, by the plain-Python rules."""
    history: list = []
    out = []
    for lines in generate_batches(7, size, DAYS).values():
        transformed = LocalImagesTransformer().transform(lines)
        filtered = LocalFilterTransformer().transform(transformed.images, history)
        history.extend(filtered.frame)
        kept = sorted(row["image_id"] for row in filtered.frame)
        out.append((transformed.counts(), filtered.counts(), kept))
    return out


def test_the_generator_is_deterministic_and_covers_every_case() -> None:
    batches = generate_batches(7, 200, DAYS)
    assert batches == generate_batches(7, 200, DAYS)
    assert batches != generate_batches(8, 200, DAYS)
    for day, lines in batches.items():
        result = LocalImagesTransformer().transform(lines)
        reasons = collections.Counter(row["reject_reason"] for row in result.rejects)
        assert set(reasons) == set(BAD_LINES), day  # every reject kind
        local_dates = {row["captured_at"].astimezone(LOS_ANGELES).date() for row in result.images}
        assert local_dates == {day, day + dt.timedelta(days=1)}  # both sides of midnight
    first, second = oracle(200)
    assert first[1]["duplicates_in_batch"] > 0 and first[1]["duplicates_in_history"] == 0
    assert second[1]["duplicates_in_batch"] > 0 and second[1]["duplicates_in_history"] > 0


def test_example_configs_are_valid() -> None:
    from dwh.config import parse_config
    from dwh.jobs.filter_images.filter_images_config import FilterImagesConfig
    from dwh.jobs.transform_images.transform_images_config import TransformImagesConfig

    models = {"filter_images": FilterImagesConfig, "transform_images": TransformImagesConfig}
    for job, model in models.items():
        configs = example_configs(job)
        assert configs, job
        for config in configs.values():
            parse_config(model, config, job=job)


def test_metrics_add_up_on_generated_data_and_match_the_rules(
    spark: SparkSession, tmp_path: Path
) -> None:
    raw = write_batches(generate_batches(7, 200, DAYS), tmp_path / "raw")
    expected = oracle(200)
    for day, (transform_counts, filter_counts, kept) in zip(DAYS, expected, strict=True):
        transformed = transform_main(
            transform_images_job={"raw_path": str(raw[day]), "output_path": str(tmp_path / "t")}
        )
        assert transformed["input_rows"] == 200
        assert (
            transformed["input_rows"] == transformed["output_rows"] + transformed["rejected_rows"]
        )
        assert {k: transformed[k] for k in transform_counts} == transform_counts
        filtered = filter_main(
            filter_images_job={
                "base_path": str(tmp_path / "filtered"),
                "timezone": "America/Los_Angeles",
                "transform_output_path": str(tmp_path / "t"),
                "run_date": day.isoformat(),
                "triggered_by_job": "transform_images",
                "triggered_by_run_id": "example",
            }
        )
        parts = ("duplicates_in_batch", "duplicates_in_history", "output_rows")
        assert filtered["input_rows"] == sum(filtered[k] for k in parts)
        assert filtered["input_rows"] == transformed["output_rows"]
        assert {k: filtered[k] for k in filter_counts} == filter_counts
        written = spark.read.parquet(filtered["output_path"]).select("image_id").collect()
        assert sorted(row.image_id for row in written) == kept

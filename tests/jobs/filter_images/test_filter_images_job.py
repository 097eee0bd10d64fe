"""filter_images without a JVM: the job with fakes, the config and the run date."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from filter_fakes import InMemoryPartitions, image

from dwh.errors import ConfigError
from dwh.jobs.filter_images.filter_images_job import FilterImagesJob
from dwh.jobs.filter_images.filter_images_job_factory import FilterImagesJobFactory
from dwh.jobs.filter_images.filter_images_rules import LocalFilterTransformer
from dwh.testing import FixedClock, InMemoryReader, RecordingEventPublisher, RecordingLoader

RUN_DATE = dt.date(2026, 11, 24)
BATCH = [
    image("img-1", "a", "2026-11-24T23:30:00-08:00"),
    image("img-2", "a", "2026-11-25T07:30:00Z"),  # tie with img-1: img-1 wins
    image("img-3", "b", "2026-11-24T10:00:00Z"),
    image("img-4", "c", "2026-11-24T10:00:00Z"),
    image("img-5", "d", "2026-11-24T10:00:00Z"),
]
PARTITIONS = {
    dt.date(2026, 11, 21): [image("old-1", "b", "2026-11-21T10:00:00Z")],  # in a 3-day window
    dt.date(2026, 11, 20): [image("old-2", "c", "2026-11-20T10:00:00Z")],  # outside it
    RUN_DATE: [image("own-1", "d", "2026-11-24T10:00:00Z")],  # its own: never history
    dt.date(2026, 11, 25): [image("later", "a", "2026-11-25T10:00:00Z")],  # a backfill
}


def run(lookback_days: int) -> tuple[dict, RecordingLoader, InMemoryPartitions]:
    loader, history = RecordingLoader(), InMemoryPartitions(PARTITIONS)
    job = FilterImagesJob(
        batch_reader=InMemoryReader({"transformed": BATCH}),
        history_reader=history,
        transformer=LocalFilterTransformer(),
        loader=loader,
        publisher=RecordingEventPublisher(),
    )
    metrics = job.run(
        transform_output_path="transformed",
        base_path="filtered/",
        run_date=RUN_DATE,
        lookback_days=lookback_days,
    )
    return metrics, loader, history


def test_window_of_three_days_drops_only_hashes_seen_in_it() -> None:
    metrics, loader, history = run(lookback_days=3)
    assert history.windows == [(dt.date(2026, 11, 21), RUN_DATE)]
    assert loader.paths == ["filtered/year=2026/month=11/day=24"]
    assert sorted(row["image_id"] for row in loader.loads[0][0]) == ["img-1", "img-4", "img-5"]
    assert metrics["duplicates_in_batch"] == 1
    assert metrics["duplicates_in_history"] == 1


def test_lookback_zero_means_all_earlier_partitions() -> None:
    metrics, loader, history = run(lookback_days=0)
    assert history.windows == [(None, RUN_DATE)]
    assert sorted(row["image_id"] for row in loader.loads[0][0]) == ["img-1", "img-5"]
    assert metrics["duplicates_in_history"] == 2


@pytest.mark.parametrize("lookback_days", [0, 1, 3, 30])
def test_metrics_add_up(lookback_days: int) -> None:
    metrics, _, _ = run(lookback_days)
    parts = metrics["duplicates_in_batch"] + metrics["duplicates_in_history"]
    assert metrics["input_rows"] == parts + metrics["output_rows"] == len(BATCH)
    assert metrics["output_path"] == "filtered/year=2026/month=11/day=24"


CONFIG = {
    "base_path": "filtered",
    "timezone": "America/Los_Angeles",
    "transform_output_path": "transformed",
}


def test_the_run_date_is_today_in_the_time_zone() -> None:
    factory = FilterImagesJobFactory(filter_images_job=CONFIG)
    factory.clock = FixedClock(dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC))
    params = factory.job_params(factory.parse_job_config(filter_images_job=CONFIG))
    assert params["run_date"] == dt.date(2026, 11, 24)
    assert params["lookback_days"] == 30


def test_the_clock_is_read_once_so_the_locked_and_written_partitions_agree() -> None:
    """A run starting just before midnight locks and writes the same day's partition."""
    ticks = iter([dt.datetime(2026, 11, 24, 23, 59, 59, tzinfo=dt.UTC)])
    factory = FilterImagesJobFactory(filter_images_job={**CONFIG, "timezone": "UTC"})
    factory.clock = lambda: next(ticks, dt.datetime(2026, 11, 25, 0, 0, 1, tzinfo=dt.UTC))
    config = factory.parse_job_config(filter_images_job={**CONFIG, "timezone": "UTC"})

    locked = factory.output_paths(config)
    written = factory.job_params(config)["run_date"]

    assert locked == ["filtered/year=2026/month=11/day=24"]
    assert written == dt.date(2026, 11, 24)


def test_an_explicit_run_date_wins_over_the_clock() -> None:
    config = {**CONFIG, "run_date": "2026-01-31"}
    factory = FilterImagesJobFactory(filter_images_job=json.dumps(config))
    factory.clock = FixedClock(dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC))
    params = factory.job_params(factory.parse_job_config(filter_images_job=json.dumps(config)))
    assert params["run_date"] == dt.date(2026, 1, 31)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "America/Los_Angles"}, "unknown IANA time zone"),
        ({"lookback_days": -1}, "'lookback_days'"),
        ({"lookback_days": "30"}, "'lookback_days'"),
        ({"run_date": "2026-02-30"}, "'run_date'"),
        ({"run_date": "24/11/2026"}, "'run_date'"),
    ],
)
def test_bad_config_is_a_config_error_naming_the_field(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FilterImagesJobFactory().parse_job_config(filter_images_job={**CONFIG, **change})

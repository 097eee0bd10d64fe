"""Drops duplicate images within a transformed batch and against recent history.

Reads the ``transform_images`` output, keeps one row per ``content_hash`` (the
earliest ``captured_at``, ties broken by the smallest ``image_id``), drops hashes
already written in the last ``lookback_days`` of partitions, and writes the run
date's ``year=/month=/day=`` partition under ``base_path``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from dwh.checks import Check, unique
from dwh.jobs.abstract_job_factory import AbstractJobFactory
from dwh.jobs.filter_images.filter_images_config import FilterImagesConfig
from dwh.jobs.filter_images.filter_images_job import FilterImagesJob, partition_path


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FilterImagesJobFactory(AbstractJobFactory[FilterImagesConfig]):
    """Wires :class:`FilterImagesJob` with Spark readers, the transformer and the loader.

    Attributes:
        clock: Returns the current time; the default run date is its date in
            ``timezone``. Replace it in tests to pin the date. It is read once per
            factory, so the partition locked and the partition written are the same
            even when a run starts a moment before midnight.
    """

    job_name = "filter_images"
    config_model = FilterImagesConfig
    output_checks: ClassVar[Mapping[str, Sequence[Check]]] = {
        "filtered_output_path": [unique("content_hash")]
    }
    """The dedup's promise, checked on the day's partition before it is published."""
    clock: Callable[[], dt.datetime] = staticmethod(_utc_now)
    _now: dt.datetime | None = None

    def create_job(self, **kwargs: Any) -> FilterImagesJob:
        """Validate the config, then build the Spark services and the job."""
        self.parse_job_config(**kwargs)
        spark = self.get_spark_session()
        from dwh.jobs.filter_images.filter_images_transformer import (
            HISTORY_SCHEMA,
            FilterImagesTransformer,
        )
        from dwh.services.loaders import ParquetLoader
        from dwh.services.readers import DatePartitionedReader, ParquetReader

        return FilterImagesJob(
            batch_reader=ParquetReader(spark),
            history_reader=DatePartitionedReader(spark, schema=HISTORY_SCHEMA),
            transformer=FilterImagesTransformer(),
            loader=ParquetLoader(),
            **self.job_services(),
        )

    def output_paths(self, config: FilterImagesConfig) -> list[str]:
        """The run date's partition: runs of other dates may write at the same time."""
        return list(self.output_targets(config).values())

    def output_targets(self, config: FilterImagesConfig) -> dict[str, str]:
        """The run date's partition, by the name the job records."""
        run_date = self.job_params(config)["run_date"]
        return {"filtered_output_path": partition_path(config.base_path, run_date)}

    def job_params(self, config: FilterImagesConfig) -> dict[str, Any]:
        """The job's fields, ``run_date`` resolved to today in ``timezone`` (not passed on)."""
        params = super().job_params(config)
        del params["timezone"]
        if config.run_date is None:
            if self._now is None:
                self._now = self.clock()
            params["run_date"] = self._now.astimezone(ZoneInfo(config.timezone)).date()
        return params


def main(**kwargs: Any) -> Any:
    """Run filter_images (the factory module contract)."""
    return FilterImagesJobFactory(**kwargs).run(**kwargs)

"""The ``filter_images`` job: drop duplicate images within the batch and against history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dwh.jobs.abstract_job import AbstractJob, Metrics

if TYPE_CHECKING:
    from dwh.jobs.filter_images.filter_images_transformer import FilterImagesTransformer
    from dwh.services.protocols import Loader, Reader


def partition_path(base_path: str, run_date: dt.date) -> str:
    """Return the folder of one run date's partition."""
    return f"{base_path.rstrip('/')}/year={run_date.year}/month={run_date.month}/day={run_date.day}"


class FilterImagesJob(AbstractJob):
    """Keeps one row per content hash in the batch and drops hashes seen in history.

    Args:
        batch_reader: Reads the transform output.
        history_reader: Reads earlier partitions of ``base_path`` for a date window.
        transformer: Deduplicates the batch and anti-joins history.
        loader: Writes the run date's partition.
        **services: Context, publisher and secrets (see :class:`AbstractJob`).
    """

    def __init__(
        self,
        *,
        batch_reader: Reader,
        history_reader: Any,
        transformer: FilterImagesTransformer,
        loader: Loader,
        **services: Any,
    ) -> None:
        super().__init__(**services)
        self.batch_reader = batch_reader
        self.history_reader = history_reader
        self.transformer = transformer
        self.loader = loader

    def execute_job(
        self,
        transform_output_path: str,
        base_path: str,
        run_date: dt.date,
        lookback_days: int,
        **_: Any,
    ) -> Metrics:
        """EXTRACT the batch and history, TRANSFORM (dedup), LOAD the run date's partition."""
        with self.phase("extract"):
            batch = self.batch_reader.read(transform_output_path)
            start = None if lookback_days == 0 else run_date - dt.timedelta(days=lookback_days)
            history = self.history_reader.read_window(base_path, start=start, end=run_date)
        with self.phase("transform"):
            result = self.transformer.transform(batch, history)
        output_path = partition_path(base_path, run_date)
        with self.phase("load") as phase:
            self.loader.load(result.frame, output_path)
            counts = result.counts()
            phase.rows = counts["output_rows"]
        self.record_output("filtered_output_path", output_path)
        return {**counts, "output_path": output_path, "run_id": self.context.run_id}

    def on_success(self, results: Metrics) -> None:
        """Nothing beyond the framework's ``job_succeeded`` event."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up: the loader never leaves a partial partition visible."""

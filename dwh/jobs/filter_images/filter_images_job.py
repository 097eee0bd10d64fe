"""The ``filter_images`` job: drop duplicate images within the batch and against history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from dwh.errors import JobFailedError
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.filter_images.filter_images_rules import history_window

if TYPE_CHECKING:
    from dwh.services.protocols import Loader, Reader


def partition_path(base_path: str, run_date: dt.date) -> str:
    """Return the folder of one run date's partition (``year=/month=/day=``, unpadded)."""
    return f"{base_path.rstrip('/')}/year={run_date.year}/month={run_date.month}/day={run_date.day}"


class HistoryReader(Protocol):
    """Reads the partitions of a date-partitioned dataset dated in ``[start, end)``."""

    def read_window(self, base_path: str, *, start: dt.date | None, end: dt.date) -> Any:
        """Return those rows (all before ``end`` when ``start`` is None), or None if none."""
        ...


class DedupResult(Protocol):
    """What a transformer returns: the rows to write, and their counts once written."""

    frame: Any

    def counts(self) -> dict[str, int]:
        """The four counts; valid after the load."""
        ...


class ImagesFilter(Protocol):
    """Deduplicates a batch within itself and against history."""

    def transform(self, batch: Any, history: Any) -> DedupResult:
        """Return the rows to keep."""
        ...


class FilterImagesJob(AbstractJob):
    """Keeps one row per content hash in the batch and drops hashes seen in history.

    Args:
        batch_reader: Reads the transform output.
        history_reader: Reads the partitions of ``base_path`` in the history window.
        transformer: Deduplicates the batch and anti-joins history:
            :class:`~.filter_images_transformer.FilterImagesTransformer` on Spark,
            :class:`~.filter_images_rules.LocalFilterTransformer` without.
        loader: Writes the run date's partition whole or not at all.
        **services: Context, publisher and secrets (see :class:`AbstractJob`).
    """

    def __init__(
        self,
        *,
        batch_reader: Reader,
        history_reader: HistoryReader,
        transformer: ImagesFilter,
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
    ) -> Metrics:
        """EXTRACT the batch and history, TRANSFORM (dedup), LOAD the run date's partition.

        Raises:
            JobFailedError: The counts do not add up: rows were lost.
        """
        with self.phase("extract"):
            batch = self.batch_reader.read(transform_output_path)
            start, end = history_window(run_date, lookback_days)
            history = self.history_reader.read_window(base_path, start=start, end=end)
        self.record_input("transform_output_path", transform_output_path)
        if history is not None:
            self.record_input("history", base_path)
        with self.phase("transform"):
            result = self.transformer.transform(batch, history)
        output_path = partition_path(base_path, run_date)
        with self.phase("load") as phase:
            self.loader.load(result.frame, output_path)
            counts: dict[str, int] = result.counts()
            phase.rows = counts["output_rows"]
        parts = ("duplicates_in_batch", "duplicates_in_history", "output_rows")
        if counts["input_rows"] != sum(counts[name] for name in parts) or min(counts.values()) < 0:
            raise JobFailedError(f"rows were lost: {counts} do not add up")
        self.record_output("filtered_output_path", output_path, result.frame)
        return {**counts, "output_path": output_path, "run_id": self.context.run_id}

    def on_success(self, results: Metrics) -> None:
        """Nothing beyond the framework's ``job_succeeded`` event."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up: the loader never leaves a partial partition visible."""

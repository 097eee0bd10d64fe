"""Spark logic of ``filter_images``: in-batch dedup, then anti-join against history.

The rules are those of :mod:`.filter_images_rules`, which is their plain-Python spec.

Metrics: one pass, with ``DataFrame.observe``. Three observations (the batch as read,
after the in-batch dedup, and the rows written) are gathered by the write itself, so
the counts cost no extra job over the data; the differences between them are the
duplicates found at each step. A cache would also work, but would hold the whole
batch in memory for three counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, Observation

HISTORY_SCHEMA = "content_hash STRING, year INT, month INT, day INT"
"""What is read of history: the hash and the partition columns, nothing else."""


@dataclass
class FilterResult:
    """The rows to write and the observations that count them once written."""

    frame: DataFrame
    _input: Observation
    _deduped: Observation
    _output: Observation

    def counts(self) -> dict[str, int]:
        """Return the metrics; call only after the frame has been written."""
        input_rows = int(self._input.get["rows"])
        deduped = int(self._deduped.get["rows"])
        output_rows = int(self._output.get["rows"])
        return {
            "input_rows": input_rows,
            "duplicates_in_batch": input_rows - deduped,
            "duplicates_in_history": deduped - output_rows,
            "output_rows": output_rows,
        }


class FilterImagesTransformer:
    """Keeps the earliest row per ``content_hash`` (ties: smallest ``image_id``), drops history."""

    def transform(self, batch: DataFrame, history: DataFrame | None) -> FilterResult:
        """Return the deduplicated rows with counting observations attached."""
        from pyspark.sql import Observation, Window
        from pyspark.sql import functions as F

        count = F.count(F.lit(1)).alias("rows")
        observed_input, observed_deduped, observed_output = (
            Observation("filter_images_input"),
            Observation("filter_images_deduped"),
            Observation("filter_images_output"),
        )
        columns = batch.columns
        batch = batch.observe(observed_input, count)
        earliest = Window.partitionBy("content_hash").orderBy(
            F.col("captured_at").asc(), F.col("image_id").asc()
        )
        deduped = (
            batch.withColumn("_rank", F.row_number().over(earliest))
            .where(F.col("_rank") == 1)
            .drop("_rank")
            .observe(observed_deduped, count)
        )
        if history is not None:
            seen = history.select("content_hash")
            deduped = deduped.join(seen, on="content_hash", how="left_anti")
        output = deduped.select(*columns).observe(observed_output, count)
        return FilterResult(output, observed_input, observed_deduped, observed_output)

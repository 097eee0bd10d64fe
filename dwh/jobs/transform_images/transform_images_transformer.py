"""Spark logic of ``transform_images``: parse every line, split images from rejects.

Each line goes through :func:`~dwh.jobs.transform_images.image_record.parse_line`,
the same Python that the unit tests check, run on the executors with
``mapInArrow``. Arrow rather than pandas keeps every timestamp Spark can hold
(pandas nanoseconds stop at the year 2262) and costs no per-row pickling.

Metrics: one pass, through a cached intermediate plus ``DataFrame.observe``. The job
writes two outputs (images and rejects) from one parse, so the parsed rows are
persisted: the first write computes them once, the second reads the cache. The counts
are observations on the raw lines and on each written frame, gathered by the writes
themselves; nothing is counted in a separate job. ``input_rows`` is counted on the raw
text, before parsing, so ``input_rows == output_rows + rejected_rows`` checks that the
parse lost nothing rather than being true by construction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dwh.jobs.transform_images.image_record import (
    OUTPUT_COLUMNS,
    REJECT_COLUMNS,
    ImageRecord,
    parse_line,
)

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.sql import DataFrame, Observation

PARSED_SCHEMA = (
    "image_id STRING, url STRING, content_hash STRING, width INT, height INT, "
    "captured_at TIMESTAMP, camera STRING, raw STRING, reject_reason STRING"
)
"""What the parse step yields: an image (reject_reason null) or a reject (raw set)."""


@dataclass
class SparkTransformResult:
    """The images and rejects to write, and the observations that count them.

    Call :meth:`counts` after both frames were written and :meth:`release` at the end.
    """

    images: DataFrame
    rejects: DataFrame
    _parsed: DataFrame
    _input: Observation
    _output: Observation
    _rejected: Observation

    def counts(self) -> dict[str, int]:
        """Return ``input_rows``, ``output_rows`` and ``rejected_rows``."""
        return {
            "input_rows": int(self._input.get["rows"]),
            "output_rows": int(self._output.get["rows"]),
            "rejected_rows": int(self._rejected.get["rows"]),
        }

    def release(self) -> None:
        """Drop the cached parse."""
        self._parsed.unpersist()


class TransformImagesTransformer:
    """Turns raw lines (a ``value`` column) into image rows and reject rows."""

    def transform(self, raw: DataFrame) -> SparkTransformResult:
        """Return the images and rejects, with counting observations attached."""
        from pyspark import StorageLevel
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        count = F.count(F.lit(1)).alias("rows")
        observed_input, observed_output, observed_rejected = (
            Observation("transform_images_input"),
            Observation("transform_images_output"),
            Observation("transform_images_rejected"),
        )
        parsed = (
            raw.select("value")
            .observe(observed_input, count)
            .mapInArrow(parse_batches, PARSED_SCHEMA)
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        images = (
            parsed.where(F.col("reject_reason").isNull())
            .select(*OUTPUT_COLUMNS)
            .observe(observed_output, count)
        )
        rejects = (
            parsed.where(F.col("reject_reason").isNotNull())
            .select(*REJECT_COLUMNS)
            .observe(observed_rejected, count)
        )
        return SparkTransformResult(
            images, rejects, parsed, observed_input, observed_output, observed_rejected
        )


def parse_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Parse each line of each Arrow batch (runs on the executors)."""
    import pyarrow as pa

    schema = pa.schema(
        [
            ("image_id", pa.string()),
            ("url", pa.string()),
            ("content_hash", pa.string()),
            ("width", pa.int32()),
            ("height", pa.int32()),
            ("captured_at", pa.timestamp("us", tz="UTC")),
            ("camera", pa.string()),
            ("raw", pa.string()),
            ("reject_reason", pa.string()),
        ]
    )
    for batch in batches:
        columns: dict[str, list[object]] = {name: [] for name in schema.names}
        for line in batch.column(0).to_pylist():
            parsed = parse_line(line if line is not None else "")
            if isinstance(parsed, ImageRecord):
                for name in OUTPUT_COLUMNS:
                    columns[name].append(getattr(parsed, name))
                columns["raw"].append(None)
                columns["reject_reason"].append(None)
            else:
                for name in OUTPUT_COLUMNS:
                    columns[name].append(None)
                columns["raw"].append(parsed.raw)
                columns["reject_reason"].append(parsed.reject_reason)
        yield pa.RecordBatch.from_pydict(columns, schema=schema)

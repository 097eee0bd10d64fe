"""The dedup rules of ``filter_images`` in plain Python: the executable spec.

:class:`~.filter_images_transformer.FilterImagesTransformer` does the same on Spark,
and a Spark test checks that both agree on generated data. This one needs no JVM, so
the unit tests of the rules (and of the job, with the fakes in :mod:`dwh.testing`)
run in milliseconds. Rows are mappings with at least ``content_hash``,
``captured_at`` and ``image_id``.

The rules:

- **Within the batch**, one row per ``content_hash`` survives: the earliest
  ``captured_at``, and among equal instants the smallest ``image_id``.
- **Against history**, a surviving row is dropped when its ``content_hash`` appears
  in any history row. Which partitions count as history is decided by
  :func:`history_window`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]


def history_window(run_date: dt.date, lookback_days: int) -> tuple[dt.date | None, dt.date]:
    """Return ``[start, end)`` of the partitions that are history for ``run_date``.

    ``start`` is ``run_date - lookback_days``, or None (all earlier partitions) when
    ``lookback_days`` is 0. ``end`` is ``run_date`` itself, excluded: a rerun never
    deduplicates against its own partition, and later partitions (a backfill) are
    never history.
    """
    start = None if lookback_days == 0 else run_date - dt.timedelta(days=lookback_days)
    return start, run_date


def keep_earliest(rows: Iterable[Row]) -> list[Row]:
    """Return one row per ``content_hash``: earliest ``captured_at``, then smallest ``image_id``."""
    best: dict[str, Row] = {}
    for row in rows:
        current = best.get(row["content_hash"])
        if current is None or _rank(row) < _rank(current):
            best[row["content_hash"]] = row
    return list(best.values())


def drop_seen(rows: Iterable[Row], history: Iterable[Row]) -> list[Row]:
    """Return the rows whose ``content_hash`` is in no history row."""
    seen = {row["content_hash"] for row in history}
    return [row for row in rows if row["content_hash"] not in seen]


def _rank(row: Row) -> tuple[Any, str]:
    return row["captured_at"], row["image_id"]


@dataclass
class LocalFilterResult:
    """The rows to write and the exact counts."""

    frame: list[Row] = field(default_factory=list)
    input_rows: int = 0
    deduped_rows: int = 0

    def counts(self) -> dict[str, int]:
        """Return the four counts; they add up to ``input_rows``."""
        output_rows = len(self.frame)
        return {
            "input_rows": self.input_rows,
            "duplicates_in_batch": self.input_rows - self.deduped_rows,
            "duplicates_in_history": self.deduped_rows - output_rows,
            "output_rows": output_rows,
        }


class LocalFilterTransformer:
    """The rules on lists of rows: the same interface as the Spark transformer."""

    def transform(self, batch: Iterable[Row], history: Iterable[Row] | None) -> LocalFilterResult:
        """Deduplicate ``batch`` within itself, then against ``history``."""
        rows = list(batch)
        deduped = keep_earliest(rows)
        kept = drop_seen(deduped, history or [])
        return LocalFilterResult(kept, input_rows=len(rows), deduped_rows=len(deduped))

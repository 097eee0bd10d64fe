"""Fakes and builders shared by the filter_images tests (no JVM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

Row = dict[str, Any]


def image(image_id: str, content_hash: str, captured_at: str) -> Row:
    """One transform-output row; ``captured_at`` is ISO text with an offset."""
    return {
        "image_id": image_id,
        "url": f"https://cdn.example.com/{image_id}.jpg",
        "content_hash": content_hash,
        "width": 640,
        "height": 480,
        "captured_at": dt.datetime.fromisoformat(captured_at).astimezone(dt.UTC),
        "camera": None,
    }


class InMemoryPartitions:
    """A history reader over rows kept per partition date; records each window asked for."""

    def __init__(self, partitions: Mapping[dt.date, Sequence[Row]] | None = None) -> None:
        self.partitions = dict(partitions or {})
        self.windows: list[tuple[dt.date | None, dt.date]] = []

    def read_window(
        self, base_path: str, *, start: dt.date | None, end: dt.date
    ) -> list[Row] | None:
        self.windows.append((start, end))
        rows = [
            row
            for day, rows in sorted(self.partitions.items())
            if (start is None or day >= start) and day < end
            for row in rows
        ]
        return rows or None

"""The dedup rules of filter_images, on plain Python rows."""

from __future__ import annotations

import datetime as dt

import pytest
from filter_fakes import image

from dwh.jobs.filter_images.filter_images_rules import (
    LocalFilterTransformer,
    drop_seen,
    history_window,
    keep_earliest,
)


def ids(rows: list) -> list[str]:
    return sorted(row["image_id"] for row in rows)


def test_the_earliest_capture_wins_whatever_the_offset() -> None:
    rows = [
        image("img-1", "h", "2026-11-24T23:59:00-08:00"),  # 07:59Z
        image("img-9", "h", "2026-11-25T07:00:00Z"),  # earlier instant, larger id
    ]
    assert ids(keep_earliest(rows)) == ["img-9"]


def test_a_tie_on_the_instant_goes_to_the_smallest_image_id() -> None:
    rows = [
        image("img-2", "h", "2026-11-25T07:00:00Z"),
        image("img-10", "h", "2026-11-24T23:00:00-08:00"),  # the same instant
        image("img-3", "h", "2026-11-25T07:00:00Z"),
    ]
    assert ids(keep_earliest(rows)) == ["img-10"]  # string order: "img-10" < "img-2"


def test_distinct_hashes_all_survive() -> None:
    rows = [image(f"img-{n}", f"h{n}", "2026-11-25T07:00:00Z") for n in range(3)]
    assert ids(keep_earliest(rows)) == ["img-0", "img-1", "img-2"]


def test_history_drops_hashes_already_seen() -> None:
    rows = [
        image("img-1", "old", "2026-11-25T07:00:00Z"),
        image("img-2", "new", "2026-11-25T07:00:00Z"),
    ]
    history = [image("img-0", "old", "2026-11-01T00:00:00Z")]
    assert ids(drop_seen(rows, history)) == ["img-2"]


@pytest.mark.parametrize(
    ("lookback", "start"),
    [(30, dt.date(2026, 10, 25)), (1, dt.date(2026, 11, 23)), (0, None)],
)
def test_history_window_ends_before_the_run_date(lookback: int, start: dt.date | None) -> None:
    assert history_window(dt.date(2026, 11, 24), lookback) == (start, dt.date(2026, 11, 24))


def test_counts_add_up() -> None:
    batch = [
        image("img-1", "a", "2026-11-25T07:00:00Z"),
        image("img-2", "a", "2026-11-25T08:00:00Z"),
        image("img-3", "b", "2026-11-25T07:00:00Z"),
        image("img-4", "c", "2026-11-25T07:00:00Z"),
    ]
    history = [image("img-0", "b", "2026-11-20T00:00:00Z")]
    result = LocalFilterTransformer().transform(batch, history)
    assert result.counts() == {
        "input_rows": 4,
        "duplicates_in_batch": 1,
        "duplicates_in_history": 1,
        "output_rows": 2,
    }
    assert ids(result.frame) == ["img-1", "img-4"]

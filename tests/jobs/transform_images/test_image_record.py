"""The line rules of transform_images: every reject reason, and exact normalisation."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dwh.jobs.transform_images.image_record import (
    ImageRecord,
    Reject,
    normalise_url,
    parse_instant,
    parse_line,
)

SHA = "AB12" * 16
GOOD = {
    "image_id": "img-000123",
    "url": "HTTPS://Cdn.Example.com/a/B.jpg ",
    "sha256": SHA,
    "width": 1920,
    "height": 1080,
    "captured_at": "2026-11-24T23:30:00-08:00",
    "camera": "Pixel 8",
}


def line(**changes: object) -> str:
    record = {**GOOD, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...})


def test_a_good_line_is_normalised() -> None:
    assert parse_line(line()) == ImageRecord(
        image_id="img-000123",
        url="https://cdn.example.com/a/B.jpg",
        content_hash="ab12" * 16,
        width=1920,
        height=1080,
        captured_at=dt.datetime(2026, 11, 25, 7, 30, tzinfo=dt.UTC),
        camera="Pixel 8",
    )


def test_camera_is_optional() -> None:
    parsed = parse_line(line(camera=...))
    assert isinstance(parsed, ImageRecord)
    assert parsed.camera is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "invalid_json"),
        ('{"image_id": "img-1", ', "invalid_json"),
        ("[1, 2]", "invalid_json"),
        ("42", "invalid_json"),
        ("null", "invalid_json"),
        (line(camera="\ud800"), "invalid_json"),
        (line(image_id=...), "missing_image_id"),
        (line(image_id=None), "missing_image_id"),
        (line(image_id=""), "missing_image_id"),
        (line(url=...), "missing_url"),
        (line(url="   "), "missing_url"),
        (line(sha256=...), "missing_sha256"),
        (line(captured_at=...), "missing_captured_at"),
        (line(image_id=123), "invalid_image_id"),
        (line(url=["x"]), "invalid_url"),
        (line(camera=8), "invalid_camera"),
        (line(sha256="ab12"), "invalid_sha256"),
        (line(sha256="g" * 64), "invalid_sha256"),
        (line(sha256=SHA + "0"), "invalid_sha256"),
        (line(sha256=12), "invalid_sha256"),
        (line(width=...), "invalid_width"),
        (line(width=0), "invalid_width"),
        (line(width=-5), "invalid_width"),
        (line(width=1920.0), "invalid_width"),
        (line(width="1920"), "invalid_width"),
        (line(width=True), "invalid_width"),
        (line(width=2**31), "invalid_width"),
        (line(height=0), "invalid_height"),
        (line(captured_at="2026-11-24T23:30:00"), "invalid_captured_at"),
        (line(captured_at="2026-11-24"), "invalid_captured_at"),
        (line(captured_at="yesterday"), "invalid_captured_at"),
        (line(captured_at=1764000000), "invalid_captured_at"),
        (line(captured_at="0001-01-01T00:00:00+01:00"), "invalid_captured_at"),
    ],
)
def test_each_bad_line_is_rejected_with_its_reason_and_text(raw: str, reason: str) -> None:
    assert parse_line(raw) == Reject(raw, reason)


def test_the_first_failing_check_decides() -> None:
    both_bad = line(sha256=..., width=0)
    assert parse_line(both_bad) == Reject(both_bad, "missing_sha256")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (" HTTPS://Cdn.Example.COM/A/b.JPG?Q=1#F ", "https://cdn.example.com/A/b.JPG?Q=1#F"),
        ("http://User:PW@Host.COM:8080/P", "http://User:PW@host.com:8080/P"),
        ("HTTP://HOST", "http://host"),
        ("relative/Path.jpg", "relative/Path.jpg"),
    ],
)
def test_url_keeps_all_but_scheme_and_host_case(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-24T23:30:00-08:00", dt.datetime(2026, 11, 25, 7, 30)),
        ("2026-11-25T07:30:00Z", dt.datetime(2026, 11, 25, 7, 30)),
        ("2026-11-25T13:00:00.250+05:30", dt.datetime(2026, 11, 25, 7, 30, 0, 250000)),
    ],
)
def test_instants_are_utc(text: str, utc: dt.datetime) -> None:
    assert parse_instant(text) == utc.replace(tzinfo=dt.UTC)

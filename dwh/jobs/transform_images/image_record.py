"""One raw JSON line in, one clean image record or one reject out: the exact rules.

This module is plain Python with no Spark, so the rules are unit-tested without a
JVM, and the Spark transformer runs this very code on each line (through Arrow).
Checks run in a fixed order and the first failure decides the reason:

====================== =========================================================
reject_reason          the line
====================== =========================================================
invalid_json           is not a JSON object (blank, malformed, an array, a number),
                       or escapes a lone surrogate (``"\\ud800"``), which is not text
missing_<field>        lacks ``image_id``, ``url``, ``sha256`` or ``captured_at``,
                       or has null or an empty string there
invalid_<field>        has a string field of another type (``image_id``, ``url``,
                       ``camera``)
invalid_sha256         has a ``sha256`` that is not 64 hex characters
invalid_width/height   has a width or height that is not an integer in 1..2^31-1
                       (``1920.0``, ``"1920"``, ``true`` and a missing one included)
invalid_captured_at    has a ``captured_at`` that is not ISO-8601 with an offset or Z
====================== =========================================================
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

OUTPUT_COLUMNS: tuple[str, ...] = (
    "image_id",
    "url",
    "content_hash",
    "width",
    "height",
    "captured_at",
    "camera",
)
"""The columns of the transform output, in order."""

REJECT_COLUMNS: tuple[str, ...] = ("raw", "reject_reason")
"""The columns of the rejects output, in order."""

REQUIRED_FIELDS: tuple[str, ...] = ("image_id", "url", "sha256", "captured_at")
"""Fields without which a line is rejected as ``missing_<field>``."""

MAX_INT = 2**31 - 1
"""Width and height are 32-bit integers in the output."""

_SHA256 = re.compile(r"[0-9A-Fa-f]{64}")
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)", re.S)


@dataclass(frozen=True)
class ImageRecord:
    """A transformed image: the row written to the transform output."""

    image_id: str
    url: str
    content_hash: str
    width: int
    height: int
    captured_at: dt.datetime
    """The UTC instant (time zone aware, UTC)."""
    camera: str | None


@dataclass(frozen=True)
class Reject:
    """A line that could not be transformed, kept with its original text."""

    raw: str
    reject_reason: str


def parse_line(raw: str) -> ImageRecord | Reject:
    """Transform one raw line, or say why it can't be."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return Reject(raw, "invalid_json")
    if not isinstance(data, dict) or not _is_unicode(raw, data):
        return Reject(raw, "invalid_json")
    for name in REQUIRED_FIELDS:
        if data.get(name) is None or data[name] == "":
            return Reject(raw, f"missing_{name}")
    for name in ("image_id", "url", "camera"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            return Reject(raw, f"invalid_{name}")
    url = normalise_url(data["url"])
    if not url:
        return Reject(raw, "missing_url")
    sha256 = data["sha256"]
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        return Reject(raw, "invalid_sha256")
    for name in ("width", "height"):
        if not is_positive_int(data.get(name)):
            return Reject(raw, f"invalid_{name}")
    captured_at = parse_instant(data["captured_at"])
    if captured_at is None:
        return Reject(raw, "invalid_captured_at")
    return ImageRecord(
        image_id=data["image_id"],
        url=url,
        content_hash=sha256.lower(),
        width=data["width"],
        height=data["height"],
        captured_at=captured_at,
        camera=data.get("camera"),
    )


def normalise_url(url: str) -> str:
    """Trim, and lower-case the scheme and host; keep user info, path, query and fragment.

    >>> normalise_url(" HTTPS://Cdn.Example.com/A/b.JPG?X=1 ")
    'https://cdn.example.com/A/b.JPG?X=1'
    """
    text = url.strip()
    match = _URL.fullmatch(text)
    if match is None:
        return text
    userinfo, at, host = match["authority"].rpartition("@")
    return f"{match['scheme'].lower()}://{userinfo}{at}{host.lower()}{match['rest']}"


def parse_instant(value: Any) -> dt.datetime | None:
    """Return the UTC instant of an ISO-8601 timestamp with an offset or ``Z``, else None.

    >>> parse_instant("2026-11-24T23:30:00-08:00")
    datetime.datetime(2026, 11, 25, 7, 30, tzinfo=datetime.timezone.utc)
    >>> parse_instant("2026-11-24T23:30:00") is None  # no offset: which instant?
    True
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        return None


def _is_unicode(raw: str, data: dict[str, Any]) -> bool:
    """False when a ``\\ud800``-style escape decoded to a lone surrogate (not text)."""
    if "\\u" not in raw:
        return True
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_positive_int(value: Any) -> bool:
    """Return True for a JSON integer in 1..2^31-1 (bools and floats are not integers)."""
    return type(value) is int and 0 < value <= MAX_INT

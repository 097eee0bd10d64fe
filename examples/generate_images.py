"""Deterministic raw image metadata (JSON lines) for the image pipeline.

The same seed and size give the same bytes. Each day's batch holds:

- new images, with URLs in mixed case and padded with spaces;
- in-batch duplicates: the same ``sha256`` under another ``image_id``, some captured
  later, some at the very same instant written with another offset (a tie that the
  smallest ``image_id`` breaks);
- duplicates of earlier days' images (every day after the first);
- malformed lines of every reject kind;
- ``captured_at`` on both sides of midnight in America/Los_Angeles, written with the
  Los Angeles offset, with ``Z`` and with ``+05:30``.

Usage::

    python -m examples.generate_images --out demo-data/raw --seed 7 --size 1000 \\
        --days 2026-11-24,2026-11-25
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CAMERAS = ("Pixel 8", "iPhone 15", "Canon EOS R6", None)

BAD_LINES: dict[str, str] = {
    "invalid_json": '{"image_id": "img-broken", "url": "https://x.example/a.jpg"',
    "missing_image_id": '{"url": "https://x.example/a.jpg", "sha256": "%(sha)s", '
    '"width": 10, "height": 10, "captured_at": "2026-11-24T10:00:00Z"}',
    "missing_url": '{"image_id": "img-%(n)s", "sha256": "%(sha)s", "width": 10, '
    '"height": 10, "captured_at": "2026-11-24T10:00:00Z"}',
    "missing_sha256": '{"image_id": "img-%(n)s", "url": "https://x.example/a.jpg", '
    '"width": 10, "height": 10, "captured_at": "2026-11-24T10:00:00Z"}',
    "missing_captured_at": '{"image_id": "img-%(n)s", "url": "https://x.example/a.jpg", '
    '"sha256": "%(sha)s", "width": 10, "height": 10}',
    "invalid_sha256": '{"image_id": "img-%(n)s", "url": "https://x.example/a.jpg", '
    '"sha256": "%(short)s", "width": 10, "height": 10, "captured_at": "2026-11-24T10:00:00Z"}',
    "invalid_width": '{"image_id": "img-%(n)s", "url": "https://x.example/a.jpg", '
    '"sha256": "%(sha)s", "width": "1920", "height": 10, "captured_at": "2026-11-24T10:00:00Z"}',
    "invalid_height": '{"image_id": "img-%(n)s", "url": "https://x.example/a.jpg", '
    '"sha256": "%(sha)s", "width": 10, "height": 0, "captured_at": "2026-11-24T10:00:00Z"}',
    "invalid_captured_at": '{"image_id": "img-%(n)s", "url": "https://x.example/a.jpg", '
    '"sha256": "%(sha)s", "width": 10, "height": 10, "captured_at": "2026-11-24T10:00:00"}',
}
"""One template per reject reason; the generator cycles through them."""


def generate_batches(seed: int, size: int, days: Sequence[dt.date]) -> dict[dt.date, list[str]]:
    """Return ``size`` raw lines per day, the same for the same arguments.

    About 8% of each batch is malformed (every reject kind at least once when ``size``
    allows), 10% are in-batch duplicates and, after the first day, 10% repeat images
    of earlier days.
    """
    rng = random.Random(seed)
    earlier: list[str] = []
    batches: dict[dt.date, list[str]] = {}
    for index, day in enumerate(days):
        bad = max(len(BAD_LINES), size * 8 // 100) if size >= 4 * len(BAD_LINES) else 0
        in_batch = size // 10
        from_history = size // 10 if earlier else 0
        fresh = size - bad - in_batch - from_history
        records = [_image(rng, day, index, n, _sha(rng)) for n in range(fresh)]
        for n in range(from_history):
            records.append(_image(rng, day, index, fresh + n, rng.choice(earlier)))
        duplicates = []
        for n in range(in_batch):
            original = rng.choice(records)
            sha = str(original["sha256"])
            # Case differs sometimes: content_hash is lower-cased, so still a duplicate.
            copy = _image(rng, day, index, size + n, sha.swapcase() if n % 3 == 0 else sha)
            if n % 2 == 0:  # a tie: the same instant, written with another offset
                copy["captured_at"] = _same_instant(original["captured_at"])
            duplicates.append(copy)
        lines = [json.dumps(record) for record in records + duplicates]
        kinds = list(BAD_LINES)
        for n in range(bad):
            template = BAD_LINES[kinds[n % len(kinds)]]
            lines.append(template % {"n": f"bad{index}-{n}", "sha": _sha(rng), "short": "ab12"})
        rng.shuffle(lines)
        batches[day] = lines
        earlier.extend(record["sha256"] for record in records)
    return batches


def write_batches(batches: dict[dt.date, list[str]], out: Path) -> dict[dt.date, Path]:
    """Write each day's lines to ``out/<YYYY-MM-DD>/images.jsonl``; return the folders."""
    folders: dict[dt.date, Path] = {}
    for day, lines in batches.items():
        folder = out / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "images.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        folders[day] = folder
    return folders


def _sha(rng: random.Random) -> str:
    digest = hashlib.sha256(rng.randbytes(16)).hexdigest()
    return digest.upper() if rng.random() < 0.3 else digest


def _image(rng: random.Random, day: dt.date, index: int, n: int, sha: str) -> dict[str, object]:
    # Between 22:00 on `day` and 02:00 the next morning, Los Angeles time.
    local = dt.datetime.combine(day, dt.time(22), LOS_ANGELES) + dt.timedelta(
        seconds=rng.randrange(4 * 3600)
    )
    record: dict[str, object] = {
        "image_id": f"img-{index}{n:06d}",
        "url": f" HTTPS://Cdn{rng.randrange(3)}.Example.COM/Photos/{index}/{n}.JPG ",
        "sha256": sha,
        "width": rng.choice((640, 1280, 1920, 4032)),
        "height": rng.choice((480, 720, 1080, 3024)),
        "captured_at": _written(rng, local),
    }
    camera = rng.choice(CAMERAS)
    if camera is not None or rng.random() < 0.5:
        record["camera"] = camera
    return record


def _written(rng: random.Random, local: dt.datetime) -> str:
    style = rng.randrange(3)
    if style == 0:
        return local.isoformat()
    if style == 1:
        return local.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return local.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat()


def _same_instant(text: object) -> str:
    instant = dt.datetime.fromisoformat(str(text))
    return instant.astimezone(dt.timezone(dt.timedelta(hours=-3))).isoformat()


def main(argv: Sequence[str] | None = None) -> int:
    """Write the batches; print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo-data/raw"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=1000, help="lines per day")
    parser.add_argument("--days", default="2026-11-24,2026-11-25", help="YYYY-MM-DD,...")
    args = parser.parse_args(argv)
    days = [dt.date.fromisoformat(text) for text in args.days.split(",")]
    batches = generate_batches(args.seed, args.size, days)
    for day, folder in write_batches(batches, args.out).items():
        print(f"{day}: {folder / 'images.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

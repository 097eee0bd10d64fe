"""``transform_images`` on plain Python lists: the same rules, no JVM.

For unit tests of the job with the fakes in :mod:`dwh.testing`, and for small data in a
notebook. The rows are dicts with the output columns; the counts are exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from dwh.jobs.transform_images.image_record import ImageRecord, parse_line


@dataclass
class LocalTransformResult:
    """The images and rejects as lists of dicts, and the number of lines read."""

    images: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    input_rows: int = 0

    def counts(self) -> dict[str, int]:
        """Return ``input_rows``, ``output_rows`` and ``rejected_rows``."""
        return {
            "input_rows": self.input_rows,
            "output_rows": len(self.images),
            "rejected_rows": len(self.rejects),
        }

    def release(self) -> None:
        """Nothing is cached."""


class LocalImagesTransformer:
    """Parses an iterable of raw lines with :func:`parse_line`."""

    def transform(self, lines: Iterable[str]) -> LocalTransformResult:
        """Return the images and rejects of ``lines``."""
        result = LocalTransformResult()
        for line in lines:
            result.input_rows += 1
            parsed = parse_line(line)
            target = result.images if isinstance(parsed, ImageRecord) else result.rejects
            target.append(asdict(parsed))
        return result

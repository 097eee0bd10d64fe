"""Fakes for the injected services. They record what happens; they never need a JVM.

:class:`RecordingEventPublisher` is a real publisher that production code uses too (a
notebook's run keeps its events with it); it lives in :mod:`dwh.services.publishers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sized
from dataclasses import dataclass, field
from typing import Any

from dwh.services.publishers import RecordingEventPublisher

__all__ = ["FixedClock", "InMemoryReader", "RecordingEventPublisher", "RecordingLoader"]


class InMemoryReader:
    """Returns the dataset registered for each path.

    Args:
        datasets: Path → dataset (any object: rows, a pandas frame, a DataFrame).
    """

    def __init__(self, datasets: Mapping[str, Any] | None = None) -> None:
        self.datasets = dict(datasets or {})
        self.reads: list[str] = []

    def read(self, path: str) -> Any:
        """Return the dataset at ``path``.

        Raises:
            FileNotFoundError: Nothing is registered for ``path``.
        """
        self.reads.append(path)
        try:
            return self.datasets[path]
        except KeyError:
            raise FileNotFoundError(f"InMemoryReader has no dataset at {path!r}") from None


@dataclass
class RecordingLoader:
    """Records every load instead of writing.

    Like the Spark loaders, ``load`` returns the number of rows "written": the
    dataset's ``len()``, or its ``count()`` (None when it has neither).

    Attributes:
        loads: ``(dataset, path)`` for each call, in order.
        fail_with: If set, ``load`` raises it (after recording the call).
    """

    loads: list[tuple[Any, str]] = field(default_factory=list)
    fail_with: BaseException | None = None

    def load(self, frame: Any, path: str) -> int | None:
        """Record the call; raise ``fail_with`` if set; return the dataset's row count."""
        self.loads.append((frame, path))
        if self.fail_with is not None:
            raise self.fail_with
        if isinstance(frame, Sized):
            return len(frame)
        count = getattr(frame, "count", None)
        return int(count()) if callable(count) else None

    @property
    def paths(self) -> list[str]:
        """The paths written, in order."""
        return [path for _, path in self.loads]


@dataclass
class FixedClock:
    """A clock that always says the same instant (UTC)."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        """Return the fixed instant."""
        return self.now

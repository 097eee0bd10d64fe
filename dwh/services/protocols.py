"""The services a job depends on, as Protocols.

Jobs receive these through their constructor. Spark implementations live beside
this module; fakes for tests live in :mod:`dwh.testing`. Fakes need no base class:
anything with the right method fits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dwh.events import Event


@runtime_checkable
class Reader(Protocol):
    """Reads a dataset from a path."""

    def read(self, path: str) -> Any:
        """Return the dataset at ``path`` (a DataFrame for Spark readers)."""
        ...


@runtime_checkable
class Transformer(Protocol):
    """Turns one or more datasets into another."""

    def transform(self, *frames: Any) -> Any:
        """Return the transformed dataset."""
        ...


@runtime_checkable
class Loader(Protocol):
    """Writes a dataset to a path."""

    def load(self, frame: Any, path: str) -> Any:
        """Write ``frame`` to ``path``; may return what the write observed."""
        ...


@runtime_checkable
class EventPublisher(Protocol):
    """Receives lifecycle events as they happen."""

    def publish(self, event: Event) -> None:
        """Deliver one event. Must not block for long."""
        ...

"""Event publishers: to a JSON-lines stream, to several at once, or nowhere.

The JSON-lines stream is what watchers follow (the TUI, ``tail -f``, a notebook):
one event per line, flushed as it is written.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from dwh.events import Event
    from dwh.services.protocols import EventPublisher

log = logging.getLogger(__name__)


class NullPublisher:
    """Drops every event."""

    def publish(self, event: Event) -> None:
        """Do nothing."""


class JsonLinesPublisher:
    """Writes each event as one JSON line to a stream and flushes it at once.

    Args:
        stream: An open text stream.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    @classmethod
    def open(cls, target: str) -> JsonLinesPublisher:
        """Open a stream target: ``-`` for stdout, ``fd:N`` for a file descriptor, or a path.

        A path is appended to, so a watcher can follow it while the job runs.
        """
        if target == "-":
            return cls(sys.stdout)
        if target.startswith("fd:"):
            return cls(os.fdopen(int(target[3:]), "w", encoding="utf-8", closefd=False))
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(path.open("a", encoding="utf-8"))

    def publish(self, event: Event) -> None:
        """Write and flush one line."""
        self._stream.write(event.to_json() + "\n")
        self._stream.flush()


class FanOutPublisher:
    """Delivers each event to every publisher; one failing never stops the others.

    A publisher that raises is warned about once, then kept: a watcher going away
    must never fail the job.
    """

    def __init__(self, publishers: Iterable[EventPublisher]) -> None:
        self.publishers = list(publishers)
        self._warned: set[int] = set()

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to each publisher in turn."""
        for publisher in self.publishers:
            try:
                publisher.publish(event)
            except Exception as exc:
                if id(publisher) not in self._warned:
                    self._warned.add(id(publisher))
                    log.warning("event publisher %s failed: %s", type(publisher).__name__, exc)

"""Event publishers: to a JSON-lines stream, to several, redacted, in memory, or nowhere.

The JSON-lines stream is what watchers follow (the TUI, ``tail -f``, a notebook):
one event per line, flushed as it is written. The run store's publisher, which keeps
the history, lives next to the store (:mod:`dwh.runs.publisher`), so that importing
the job contract never loads SQLite. No publisher may ever fail a job: one that
breaks is warned about once.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dwh.redaction import scrub

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
        # spark_progress comes from a polling thread while the job publishes its own.
        self._lock = threading.Lock()

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
        line = event.to_json() + "\n"
        with self._lock:
            self._stream.write(line)
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


class RedactingPublisher:
    """Hides a run's secret values in every event before passing it on.

    A job may copy a secret into a metric, an output path or an error; this is the
    last line of defence before events reach a stream, the store or an alert.

    Args:
        publisher: Where the cleaned events go.
        secrets: The secret values (see :func:`dwh.redaction.secret_values`).
    """

    def __init__(self, publisher: EventPublisher, secrets: Iterable[str]) -> None:
        self.publisher = publisher
        self.secrets = frozenset(secrets)

    def publish(self, event: Event) -> None:
        """Pass on a copy of ``event`` whose strings hold no secret."""
        payload = scrub(event.payload, self.secrets)
        if payload != event.payload:
            event = dataclasses.replace(event, payload=payload)
        self.publisher.publish(event)


@dataclass
class RecordingEventPublisher:
    """Keeps every event published, in memory: a notebook run's record, a test's fake.

    Attributes:
        events: The events, in the order they were published.
    """

    events: list[Event] = field(default_factory=list)

    def publish(self, event: Event) -> None:
        """Record ``event``."""
        self.events.append(event)

    @property
    def names(self) -> list[str]:
        """The event names, in order."""
        return [event.event for event in self.events]

    def of(self, name: str) -> list[Event]:
        """The events called ``name``."""
        return [event for event in self.events if event.event == name]

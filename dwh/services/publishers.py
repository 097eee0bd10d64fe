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
import stat
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dwh.errors import UsageError
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


def check_events_target(target: str, *, name: str = "--events") -> None:
    """Refuse an events target :meth:`JsonLinesPublisher.open` could not append to.

    Checked before a run starts, so a bad target is a usage error, not a failed run.
    ``-`` and ``fd:N`` (an open descriptor) pass; a path must be a regular file, a
    character device such as ``/dev/null``, a FIFO something reads, or not exist yet
    under a folder dwh can write to. A FIFO nothing reads is refused: opening it would
    block until a reader came.

    Raises:
        UsageError: The target is empty, a folder, an unread FIFO, or not writable.
    """
    if target == "-":
        return
    if target.startswith("fd:"):
        descriptor = target[3:]
        if not descriptor.isdigit():
            raise UsageError(f"{name} {target!r}: fd: takes a file descriptor number, as fd:3")
        try:
            os.fstat(int(descriptor))
        except OSError:
            problem = f"file descriptor {descriptor} is not open"
            raise UsageError(f"{name} {target!r}: {problem}") from None
        return
    if not target.strip() or "\0" in target:
        raise UsageError(f"{name} {target!r}: give a file path, - for stdout or fd:N")
    problem = _path_problem(Path(target))
    if problem:
        raise UsageError(f"{name} {target}: {problem}; give a file path, - for stdout or fd:N")


def _path_problem(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return _folder_problem(path.parent)
    except OSError as exc:
        return f"cannot be used ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return _fifo_problem(path)
    if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode)):
        return "is not a regular file"
    if not os.access(path, os.W_OK):
        return "is not writable"
    return ""


def _fifo_problem(path: Path) -> str:
    """``""`` when something reads the FIFO (``--events /dev/stdout | jq``), else why not."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: no reader, and opening it for writing would block
        return "is a FIFO that nothing reads; opening it would block"
    os.close(descriptor)
    return ""


def _folder_problem(folder: Path) -> str:
    """Why the file cannot be created in ``folder`` (made with its parents), or ``""``."""
    for ancestor in (folder, *folder.parents):
        try:
            mode = ancestor.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            return f"cannot be created ({exc.strerror or exc})"
        if not stat.S_ISDIR(mode):
            return f"cannot be created: {ancestor} is not a folder"
        if not os.access(ancestor, os.W_OK | os.X_OK):
            return f"cannot be created: {ancestor} is not writable"
        return ""
    return ""


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

"""Event publishers: to a JSON-lines stream, to the run store, to several at once, or nowhere.

The JSON-lines stream is what watchers follow (the TUI, ``tail -f``, a notebook):
one event per line, flushed as it is written. The run store keeps the history.
Neither may ever fail a job: a publisher that breaks is warned about once.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dwh.events import TERMINAL_EVENTS
from dwh.redaction import scrub
from dwh.runs.store import OFF_VALUES, RunStore, store_path_from_env

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


class RunStorePublisher:
    """Records each event in the run store; a broken store never fails the job.

    The store is opened when the first event arrives. If opening it or writing to
    it fails, one warning is logged (``dwh: warning: run store ...``) and the rest of
    the run's events are not recorded: the job goes on.

    Args:
        path: The store's file.
        module: The factory module, recorded with the run.
    """

    def __init__(self, path: str | Path, *, module: str | None = None) -> None:
        self.path = Path(path)
        self.module = module
        self.failed = False
        self._store: RunStore | None = None

    @classmethod
    def from_target(
        cls, target: str | None = None, *, module: str | None = None
    ) -> RunStorePublisher | None:
        """Return a publisher for ``target`` (a path, or ``off``) or for the environment.

        Without ``target`` the store is the one :meth:`RunStore.from_env` would open.
        Returns None when recording is turned off.
        """
        if target is not None and target.strip():
            if target.strip().lower() in OFF_VALUES:
                return None
            return cls(target.strip(), module=module)
        path = store_path_from_env()
        return None if path is None else cls(path, module=module)

    def publish(self, event: Event) -> None:
        """Record ``event``; after a failure, do nothing. The final event closes the store."""
        if self.failed:
            return
        try:
            if self._store is None:
                self._store = RunStore(self.path)
            self._store.record(event, module=self.module)
            if event.event in TERMINAL_EVENTS:
                self._store.close()
                self._store = None
        except Exception as exc:
            self.failed = True
            log.warning(
                "dwh: warning: run store %s is unavailable, run %s is not recorded: %s",
                self.path,
                event.run_id,
                exc,
            )


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

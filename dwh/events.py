"""The lifecycle event schema shared by jobs, the event stream, the run store and the TUI.

Every event is one flat JSON object with the fields below, plus the event's own
payload. Consumers read events, never Spark's log.

```
schema_version  int      bumped on any incompatible change
event           str      job_started | phase_finished | job_succeeded | job_failed
job             str      the job name, e.g. "filter_images"
run_id          str
at              str      UTC, ISO-8601 with a "Z"
triggered_by_job, triggered_by_run_id   present when known
```

:func:`read_events` reads a stream file; :func:`follow_events` follows one live.

Payloads: ``job_started`` has ``config`` (redacted) and ``config_hash`` (and
``backfill_id`` for a run of a backfill, ``spark_ui_url`` for a session with a UI);
``phase_finished`` has ``phase``, ``rows`` and ``seconds``; ``job_succeeded`` has
``metrics`` and ``outputs``; ``job_failed`` has ``error_type``, ``error_message`` and
``cancelled`` (true when the run was interrupted by SIGINT or SIGTERM).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


class EventName(StrEnum):
    """The lifecycle event names; each compares equal to its string."""

    JOB_STARTED = "job_started"
    PHASE_FINISHED = "phase_finished"
    SPARK_PROGRESS = "spark_progress"
    CHECKS_FINISHED = "checks_finished"
    JOB_SUCCEEDED = "job_succeeded"
    JOB_FAILED = "job_failed"


class RunStatus(StrEnum):
    """How a run stands or ended, as the run store, the launcher and the TUI say it.

    ``rejected`` means the job never started (bad config, unknown job, locked output);
    ``lost`` means the process that recorded ``running`` died without a final event.
    """

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    LOST = "lost"


EVENT_NAMES: tuple[str, ...] = tuple(EventName)
TERMINAL_EVENTS: frozenset[str] = frozenset({EventName.JOB_SUCCEEDED, EventName.JOB_FAILED})
_HEADER = ("schema_version", "event", "job", "run_id", "at")
LINEAGE_HEADERS: tuple[str, ...] = ("triggered_by_job", "triggered_by_run_id")
"""The header fields a triggered run's events carry: the config's framework fields of
the same names (:data:`dwh.config.FRAMEWORK_FIELDS`), copied here by the job."""


def utc_now_iso() -> str:
    """Return the current UTC time as ISO-8601 with millisecond precision and a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    """Parse an event time (``Z`` or an offset, as :func:`utc_now_iso` writes) to a datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Event:
    """One lifecycle event.

    Attributes:
        event: The event name.
        job: The job name.
        run_id: The run this event belongs to.
        payload: The event-specific fields, JSON-serialisable.
        at: When it happened, UTC ISO-8601.
        triggered_by_job: The upstream job, when this run was triggered.
        triggered_by_run_id: The upstream run id, when this run was triggered.
        schema_version: The schema version this event follows.
    """

    event: str
    job: str
    run_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=utc_now_iso)
    triggered_by_job: str | None = None
    triggered_by_run_id: str | None = None
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Return the flat JSON form: header fields first, then the payload."""
        data: dict[str, Any] = {
            "schema_version": self.schema_version,
            "event": self.event,
            "job": self.job,
            "run_id": self.run_id,
            "at": self.at,
        }
        for name in LINEAGE_HEADERS:
            if (value := getattr(self, name)) is not None:
                data[name] = value
        data.update(self.payload)
        return data

    def to_json(self) -> str:
        """Return the event as one line of JSON (no newline)."""
        return json.dumps(self.to_dict(), default=str, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Build an event from its flat JSON form."""
        payload = {k: v for k, v in data.items() if k not in _HEADER and k not in LINEAGE_HEADERS}
        return cls(
            event=data["event"],
            job=data["job"],
            run_id=data["run_id"],
            payload=payload,
            at=data["at"],
            triggered_by_job=data.get("triggered_by_job"),
            triggered_by_run_id=data.get("triggered_by_run_id"),
            schema_version=int(data.get("schema_version", SCHEMA_VERSION)),
        )

    @classmethod
    def from_json(cls, line: str) -> Event:
        """Parse one JSON line written by :meth:`to_json`."""
        return cls.from_dict(json.loads(line))


def read_events(path: str | Path) -> list[Event]:
    """Return every event in a JSON-lines stream file, skipping blank lines."""
    text = Path(path).read_text(encoding="utf-8")
    return [Event.from_json(line) for line in text.splitlines() if line.strip()]


def follow_events(
    path: str | Path,
    *,
    run_id: str | None = None,
    timeout: float | None = None,
    poll_seconds: float = 0.1,
) -> Iterator[Event]:
    """Yield events from a stream file as they are appended, like ``tail -f``.

    Stops after the final event (``job_succeeded`` or ``job_failed``) of ``run_id``, or
    of the first run seen when ``run_id`` is None, or when ``timeout`` seconds pass
    without reaching it. The file may not exist yet. A partly written last line is
    kept until its newline arrives.

    Args:
        path: The stream file (what ``--events PATH`` names).
        run_id: The run to follow; other runs' events are yielded too.
        timeout: Seconds to wait in total; None waits for ever.
        poll_seconds: How often to look for new lines.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    position = 0
    pending = ""
    target = run_id
    while deadline is None or time.monotonic() < deadline:
        try:
            with Path(path).open(encoding="utf-8") as stream:
                stream.seek(position)
                chunk = stream.read()
                position = stream.tell()
        except FileNotFoundError:
            chunk = ""
        pending += chunk
        *lines, pending = pending.split("\n")
        for line in filter(str.strip, lines):
            event = Event.from_json(line)
            target = target or event.run_id
            yield event
            if event.run_id == target and event.event in TERMINAL_EVENTS:
                return
        time.sleep(poll_seconds)

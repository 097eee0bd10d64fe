"""A past run's OpenLineage events, rebuilt from the run store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dwh.errors import UsageError
from dwh.events import TERMINAL_EVENTS, RunStatus
from dwh.lineage._config import lineage_namespace

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent

    from dwh.runs.store import RunStore


def rebuild_events(store: RunStore, run_id: str, *, namespace: str | None = None) -> list[RunEvent]:
    """Return the OpenLineage events of a stored run, in order, as they were (or would be) sent.

    A run whose process died without a final event (``lost``, or ``cancelled`` and
    ``failed`` set from outside) gets the final event its status implies: ``ABORT``
    for cancelled, ``FAIL`` otherwise. A run still ``running`` gets none.

    Raises:
        UsageError: The store has no run ``run_id``.
    """
    from dwh.lineage._mapping import RunEventMapper

    record = store.get(run_id)
    if record is None:
        raise UsageError(f"no run '{run_id}' in the run store {store.path}")
    mapper = RunEventMapper(namespace or lineage_namespace())
    events = store.events(run_id)
    lineage = [e for e in (mapper.map(event) for event in events) if e is not None]
    ended = any(event.event in TERMINAL_EVENTS for event in events)
    if not ended and record.status != RunStatus.RUNNING:
        at = record.ended_at or (events[-1].at if events else record.started_at)
        final = mapper.ended_unreported(
            record.job, run_id, at=at or "", status=record.status, error=record.error
        )
        if final is not None:
            lineage.append(final)
    return lineage


def to_json(event: RunEvent) -> str:
    """Return one OpenLineage event as one line of JSON, as the client would send it."""
    from openlineage.client.serde import Serde

    return Serde.to_json(event)

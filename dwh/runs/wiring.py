"""What a run takes from the run history: its output locks and its event sinks.

The job factory imports this one module when a run starts (never at import, so the job
contract loads no SQLite): :func:`output_locks` around the run, and
:func:`run_publisher` for where its events go.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dwh.runs.locks import output_locks
from dwh.services.publishers import FanOutPublisher, JsonLinesPublisher, RedactingPublisher

if TYPE_CHECKING:
    from dwh.services.protocols import EventPublisher

__all__ = ["output_locks", "run_publisher"]


def run_publisher(
    *,
    events: str | None,
    run_store: str | None,
    module: str | None,
    extra: EventPublisher | None,
    secrets: Iterable[str],
    debug: bool = False,
) -> EventPublisher:
    """Return where a run's events go, in this order.

    1. The events stream (``events``: ``-``, ``fd:N`` or a path), so watchers see
       events first.
    2. The run store (``run_store``, or ``$DWH_RUN_STORE``; ``off`` disables it).
    3. ``extra``: an injected publisher (a notebook's or a test's recorder).
    4. The alert sinks (``$DWH_ALERTS``, ``$DWH_ALERT_WEBHOOK``), on ``job_failed``.
    5. OpenLineage, when configured (``openlineage.yml``, ``$OPENLINEAGE_URL``...);
       with ``debug``, its ``FAIL`` events carry the stack trace.

    Every event has ``secrets`` hidden first. None of the sinks can fail the job: the
    fan-out warns once about a broken one.

    Raises:
        UsageError: The alert settings are invalid (checked before the job runs).
    """
    from dwh.lineage import lineage_publisher  # the client itself only when configured
    from dwh.runs.alerts import AlertPublisher, alert_sinks_from_env
    from dwh.runs.publisher import RunStorePublisher

    hidden = frozenset(secrets)
    publishers: list[EventPublisher] = []
    if events:
        publishers.append(JsonLinesPublisher.open(events))
    store = RunStorePublisher.from_target(run_store, module=module)
    if store is not None:
        publishers.append(store)
    if extra is not None:
        publishers.append(extra)
    sinks = alert_sinks_from_env()
    if sinks:
        publishers.append(AlertPublisher(sinks))
    if (lineage := lineage_publisher(hidden, debug=debug)) is not None:
        publishers.append(lineage)
    return RedactingPublisher(FanOutPublisher(publishers), hidden)

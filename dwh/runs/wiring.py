"""What a run takes from the run history: its output locks and its event sinks.

The job factory imports this one module when a run starts (never at import, so the job
contract loads no SQLite): :func:`output_locks` around the run,
:func:`run_publisher` for where its events go, and :func:`resolve_references` for the
other jobs' outputs its checks name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dwh.runs.locks import output_locks
from dwh.runs.store import RunStore
from dwh.services.publishers import FanOutPublisher, JsonLinesPublisher, RedactingPublisher
from dwh.settings import is_off

if TYPE_CHECKING:
    from dwh.checks import Check
    from dwh.services.protocols import EventPublisher

__all__ = ["output_locks", "resolve_references", "run_publisher"]


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


def resolve_references(
    checks: Mapping[str, Sequence[Check]], run_store: str | None = None
) -> dict[str, list[Check]]:
    """Resolve each ``relationships`` check whose ``to`` names another job's output.

    ``"to": "transform_images.output_path"`` reads the path that job's newest
    successful run recorded for ``output_path``. A ``to`` that is a file or folder here
    stays a path, and so does one the run store does not know (the audit then says it
    cannot read it).

    Args:
        checks: Each output's checks.
        run_store: The run store's file, or ``off``; None means ``$DWH_RUN_STORE``.
    """
    wanted = [
        check
        for listed in checks.values()
        for check in listed
        if check.job_output is not None and not Path(str(check.to)).exists()
    ]
    if not wanted:
        return {name: list(listed) for name, listed in checks.items()}
    store = _reading_store(run_store)
    found: dict[str, str] = {}
    if store is not None:
        with store:
            for check in wanted:
                job, output = check.job_output or ("", "")
                path = store.published_output(job, output)
                if path is not None:
                    found[str(check.to)] = path
    return {
        name: [
            dataclasses.replace(check, reads=found[str(check.to)])
            if check.job_output is not None and str(check.to) in found
            else check
            for check in listed
        ]
        for name, listed in checks.items()
    }


def _reading_store(run_store: str | None) -> RunStore | None:
    """The run store a run records to, opened for reading; None if off or not there yet."""
    if run_store is None or not run_store.strip():
        return RunStore.open_existing().store
    path = Path(run_store.strip())
    return None if is_off(run_store) or not path.is_file() else RunStore(path, create=False)

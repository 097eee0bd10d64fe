"""The lineage publisher: dwh events out as OpenLineage run events, through the client.

:func:`lineage_publisher` is what the job factory calls for every run. Without any
OpenLineage configuration it returns None at once, without importing the client, so
a run that does not use lineage pays nothing and prints nothing.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dwh.errors import one_line
from dwh.events import TERMINAL_EVENTS, EventName
from dwh.lineage._config import lineage_configured, lineage_namespace
from dwh.redaction import redact_text

if TYPE_CHECKING:
    from dwh.events import Event
    from dwh.lineage._mapping import RunEventMapper

log = logging.getLogger(__name__)


class LineagePublisher:
    """Emits each run event through an OpenLineage client; never fails the job.

    The first time the client or its transport fails, one warning is logged
    (``dwh: warning: OpenLineage ...``) and the run's later events are not sent: a
    backend that is down must cost a run one timeout, not one per event.

    Args:
        client: An ``openlineage.client.OpenLineageClient`` (or anything with ``emit``
            and ``close``).
        mapper: Turns dwh events into OpenLineage events.
        secrets: The run's secret values, hidden in stack traces.
        debug: Whether ``FAIL`` events carry the stack trace (``--debug``).
    """

    def __init__(
        self,
        client: Any,
        mapper: RunEventMapper,
        *,
        secrets: Iterable[str] = (),
        debug: bool = False,
    ) -> None:
        self.client = client
        self.mapper = mapper
        self.secrets = frozenset(secrets)
        self.debug = debug
        self.failed = False

    def publish(self, event: Event) -> None:
        """Map ``event`` and emit it; after a failure, do nothing."""
        if self.failed:
            return
        try:
            lineage_event = self.mapper.map(event, stack_trace=self._stack_trace(event))
            if lineage_event is not None:
                self.client.emit(lineage_event)
            if event.event in TERMINAL_EVENTS:
                self.client.close(5.0)  # async transports flush here
        except Exception as exc:
            self.failed = True
            kind = getattr(getattr(self.client, "transport", None), "kind", None) or "transport"
            log.warning(
                "dwh: warning: OpenLineage %s failed, run %s's lineage is not sent: %s",
                kind,
                event.run_id,
                one_line(exc),
            )

    def _stack_trace(self, event: Event) -> str | None:
        """The failing job's traceback, secrets hidden: only with ``--debug``.

        ``job_failed`` is published while the job's error is being handled, so the
        error is still at hand here.
        """
        error = sys.exc_info()[1]
        if not self.debug or event.event != EventName.JOB_FAILED or error is None:
            return None
        return redact_text("".join(traceback.format_exception(error)), self.secrets)


def lineage_publisher(
    secrets: Iterable[str] = (), *, debug: bool = False
) -> LineagePublisher | None:
    """Return a publisher for the configured OpenLineage transport, or None.

    With ``debug`` (the entry's ``--debug``, or ``DWH_DEBUG=1``), ``FAIL`` events
    carry the stack trace.

    None when nothing is configured (see :mod:`dwh.lineage._config`) or lineage is
    disabled. A configuration the client refuses is warned about once and gives None:
    lineage never stops a job.
    """
    if not lineage_configured():
        return None
    try:
        client = make_client()
        from dwh.lineage._mapping import RunEventMapper

        mapper = RunEventMapper(lineage_namespace())
        return LineagePublisher(client, mapper, secrets=secrets, debug=debug)
    except ImportError:
        log.warning(
            "dwh: warning: OpenLineage is configured but openlineage-python is not installed, "
            "no lineage is sent: pip install 'dwh[lineage]'"
        )
        return None
    except Exception as exc:
        log.warning(
            "dwh: warning: OpenLineage is misconfigured, no lineage is sent: %s", one_line(exc)
        )
        return None


def make_client() -> Any:
    """Return an ``OpenLineageClient`` configured the standard way (files and environment)."""
    from openlineage.client import OpenLineageClient

    return OpenLineageClient()

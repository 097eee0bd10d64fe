"""Alerts: tell someone when a run fails.

:meth:`AbstractJob.run <dwh.jobs.abstract_job.AbstractJob.run>` publishes ``job_failed``
right after the job's ``on_failure`` hook returns. :class:`AlertPublisher` listens for
that event, as a subscriber on the event bus would in production, and hands an
:class:`Alert` to each configured sink:

- :class:`StderrAlertSink` (the default) writes one line on stderr;
- :class:`WebhookAlertSink` POSTs the alert as JSON to a URL.

The environment chooses the sinks: ``DWH_ALERTS`` is a comma-separated list of
``stderr`` and ``webhook``, or ``off`` (default ``stderr``); ``DWH_ALERT_WEBHOOK`` is the
webhook's URL (setting it turns the webhook sink on). A sink that fails is logged and
skipped: it never hides the job's own error, never stops the other sinks, and never
changes the exit code.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import urlsplit

from dwh.errors import AlertError, UsageError
from dwh.events import EventName
from dwh.redaction import redact_url_passwords
from dwh.settings import ALERT_WEBHOOK_ENV as WEBHOOK_ENV
from dwh.settings import ALERTS_ENV, alert_sinks_setting, alert_webhook, is_off

if TYPE_CHECKING:
    from dwh.events import Event

log = logging.getLogger(__name__)

SINK_NAMES: tuple[str, ...] = ("stderr", "webhook")
WEBHOOK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Alert:
    """What a sink is told about a failed run.

    Attributes:
        job: The job name.
        run_id: The failed run.
        error_type: The exception's type name.
        error_message: ``"ErrorType: message"``, secrets already hidden.
        cancelled: True when the run was interrupted (SIGINT/SIGTERM).
        at: When the run failed, UTC ISO-8601.
        triggered_by_job: The upstream job, when this run was triggered.
        triggered_by_run_id: The upstream run, when this run was triggered.
    """

    job: str
    run_id: str
    error_type: str
    error_message: str
    cancelled: bool
    at: str
    triggered_by_job: str | None = None
    triggered_by_run_id: str | None = None

    @classmethod
    def from_event(cls, event: Event) -> Alert:
        """Build the alert for a ``job_failed`` event."""
        payload = event.payload
        return cls(
            job=event.job,
            run_id=event.run_id,
            error_type=str(payload.get("error_type") or "Error"),
            error_message=str(payload.get("error_message") or ""),
            cancelled=bool(payload.get("cancelled")),
            at=event.at,
            triggered_by_job=event.triggered_by_job,
            triggered_by_run_id=event.triggered_by_run_id,
        )

    def text(self) -> str:
        """One line for humans: ``job 'x' failed (run R): ErrorType: message``."""
        what = "was cancelled" if self.cancelled else "failed"
        upstream = (
            f", triggered by {self.triggered_by_job} run {self.triggered_by_run_id}"
            if self.triggered_by_run_id
            else ""
        )
        return f"job '{self.job}' {what} (run {self.run_id}{upstream}): {self.error_message}"


@runtime_checkable
class AlertSink(Protocol):
    """Somewhere alerts go."""

    def send(self, alert: Alert) -> None:
        """Deliver one alert; raise if it could not be delivered."""
        ...


class StderrAlertSink:
    """Writes each alert as one line, ``dwh: alert: ...``, on stderr (or ``stream``).

    Args:
        stream: Where to write; defaults to the current ``sys.stderr``.
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream

    def send(self, alert: Alert) -> None:
        """Write the alert's line and flush."""
        stream = self._stream or sys.stderr
        stream.write(f"dwh: alert: {alert.text()}\n")
        stream.flush()


class WebhookAlertSink:
    """POSTs each alert as a JSON object to a URL (Slack-style ``text`` included).

    The body is the :class:`Alert`'s fields plus ``text``, the human line.

    Args:
        url: An ``http`` or ``https`` URL.
        timeout: Seconds to wait for the server.

    Raises:
        UsageError: The URL is not an http(s) URL.
    """

    def __init__(self, url: str, *, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(
                f"{WEBHOOK_ENV} must be an http:// or https:// URL, "
                f"got {redact_url_passwords(url)!r}"
            )
        self.url = url
        self.timeout = timeout

    def send(self, alert: Alert) -> None:
        """POST the alert.

        Raises:
            AlertError: The server could not be reached or did not answer 2xx.
        """
        # urllib.request costs ~25 ms to import; only a webhook needs it.
        import urllib.error
        import urllib.request

        body = json.dumps({**asdict(alert), "text": alert.text()}).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "dwh-alerts"},
        )
        shown = redact_url_passwords(self.url)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            raise AlertError(f"webhook {shown} answered HTTP {exc.code}") from exc
        except (OSError, ValueError) as exc:
            raise AlertError(f"webhook {shown} could not be reached: {exc}") from exc
        if not 200 <= status < 300:
            raise AlertError(f"webhook {shown} answered HTTP {status}")


class AlertPublisher:
    """An event publisher that turns each ``job_failed`` event into an alert.

    Each sink is tried in turn; one that raises is logged and skipped, so the job's
    own error is always what the caller sees.

    Args:
        sinks: Where alerts go.
    """

    def __init__(self, sinks: Iterable[AlertSink]) -> None:
        self.sinks = list(sinks)

    def publish(self, event: Event) -> None:
        """Send an alert for ``job_failed``; ignore every other event."""
        if event.event != EventName.JOB_FAILED:
            return
        alert = Alert.from_event(event)
        for sink in self.sinks:
            try:
                sink.send(alert)
            except Exception as exc:
                log.warning(
                    "dwh: warning: alert sink %s failed for run %s: %s",
                    type(sink).__name__,
                    alert.run_id,
                    exc,
                )


def alert_sinks_from_env(env: Mapping[str, str] | None = None) -> list[AlertSink]:
    """Return the sinks that ``DWH_ALERTS`` and ``DWH_ALERT_WEBHOOK`` configure.

    Raises:
        UsageError: ``DWH_ALERTS`` names an unknown sink, or asks for ``webhook``
            without ``DWH_ALERT_WEBHOOK``, or the URL is not http(s).
    """
    raw = alert_sinks_setting(env)
    webhook_url = alert_webhook(env)
    names = [n.strip() for n in raw.split(",") if n.strip()] if raw else ["stderr"]
    if len(names) == 1 and is_off(names[0]):
        return []
    unknown = [n for n in names if n not in SINK_NAMES]
    if unknown:
        raise UsageError(
            f"{ALERTS_ENV}: unknown alert sink '{unknown[0]}' "
            f"(valid: {', '.join(SINK_NAMES)}, or off)"
        )
    if "webhook" in names and not webhook_url:
        raise UsageError(f"{ALERTS_ENV} asks for a webhook but {WEBHOOK_ENV} is not set")
    sinks: list[AlertSink] = []
    if "stderr" in names:
        sinks.append(StderrAlertSink())
    if webhook_url:
        sinks.append(WebhookAlertSink(webhook_url))
    return sinks

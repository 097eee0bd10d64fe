"""Alerts on failure: a stderr line by default, a webhook on request, never masking the error."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import job_env, run_entry

from dwh.errors import UsageError
from dwh.events import Event
from dwh.jobs.noop.noop_job_factory import main as noop_main
from dwh.runs.alerts import (
    Alert,
    AlertError,
    AlertPublisher,
    StderrAlertSink,
    WebhookAlertSink,
    alert_sinks_from_env,
)
from dwh.testing import RecordingEventPublisher

FAILED = Event(
    "job_failed",
    "noop",
    "r1",
    {"error_type": "RuntimeError", "error_message": "RuntimeError: boom", "cancelled": False},
    at="2026-11-25T10:00:00.000Z",
    triggered_by_job="up",
    triggered_by_run_id="u1",
)


class Hook:
    """A local webhook server on 127.0.0.1 that records what it receives."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.bodies: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook(200)
    yield server
    server.close()


@pytest.fixture
def broken_hook() -> Iterator[Hook]:
    server = Hook(500)
    yield server
    server.close()


@pytest.fixture
def closed_port_url() -> str:
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/nobody-listens"


def test_alert_from_a_failed_event() -> None:
    alert = Alert.from_event(FAILED)

    assert alert.text() == (
        "job 'noop' failed (run r1, triggered by up run u1): RuntimeError: boom"
    )
    stream = io.StringIO()
    StderrAlertSink(stream).send(alert)
    assert stream.getvalue() == f"dwh: alert: {alert.text()}\n"


def test_only_job_failed_raises_an_alert() -> None:
    stream = io.StringIO()
    publisher = AlertPublisher([StderrAlertSink(stream)])

    publisher.publish(Event("job_started", "noop", "r1", {}))
    publisher.publish(Event("job_succeeded", "noop", "r1", {}))
    assert stream.getvalue() == ""
    publisher.publish(FAILED)
    assert stream.getvalue().count("dwh: alert:") == 1


def test_webhook_receives_the_alert_as_json(hook: Hook) -> None:
    WebhookAlertSink(hook.url).send(Alert.from_event(FAILED))

    (body,) = hook.bodies
    assert body["job"] == "noop" and body["run_id"] == "r1"
    assert body["error_message"] == "RuntimeError: boom"
    assert body["cancelled"] is False
    assert body["text"].startswith("job 'noop' failed")


def test_webhook_errors_are_alert_errors(broken_hook: Hook, closed_port_url: str) -> None:
    with pytest.raises(AlertError, match="answered HTTP 500"):
        WebhookAlertSink(broken_hook.url).send(Alert.from_event(FAILED))
    with pytest.raises(AlertError, match="could not be reached"):
        WebhookAlertSink(closed_port_url, timeout=2).send(Alert.from_event(FAILED))


def test_sinks_come_from_the_environment(hook: Hook) -> None:
    assert [type(s).__name__ for s in alert_sinks_from_env({})] == ["StderrAlertSink"]
    assert alert_sinks_from_env({"DWH_ALERTS": "off"}) == []
    both = alert_sinks_from_env({"DWH_ALERT_WEBHOOK": hook.url})
    assert [type(s).__name__ for s in both] == ["StderrAlertSink", "WebhookAlertSink"]
    only_hook = alert_sinks_from_env({"DWH_ALERTS": "webhook", "DWH_ALERT_WEBHOOK": hook.url})
    assert [type(s).__name__ for s in only_hook] == ["WebhookAlertSink"]
    with pytest.raises(UsageError, match="unknown alert sink 'slack'"):
        alert_sinks_from_env({"DWH_ALERTS": "stderr,slack"})
    with pytest.raises(UsageError, match="DWH_ALERT_WEBHOOK is not set"):
        alert_sinks_from_env({"DWH_ALERTS": "webhook"})
    with pytest.raises(UsageError, match="must be an http"):
        alert_sinks_from_env({"DWH_ALERT_WEBHOOK": "ftp://user:pw@host/x"})


class ExplodingSink:
    def send(self, alert: Alert) -> None:
        raise RuntimeError("the pager is down")


def test_a_failing_sink_never_masks_the_job_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DWH_RUN_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("DWH_ALERTS", "off")
    stream = io.StringIO()
    recorder = RecordingEventPublisher()
    alerts = AlertPublisher([ExplodingSink(), StderrAlertSink(stream)])

    class Both:
        def publish(self, event: Event) -> None:
            alerts.publish(event)
            recorder.publish(event)

    with pytest.raises(RuntimeError, match=r"^the original failure$"):
        noop_main(noop_job='{"fail_with": "the original failure"}', event_publisher=Both())

    # The sink after the broken one still alerted, and job_failed is intact.
    assert "RuntimeError: the original failure" in stream.getvalue()
    assert recorder.events[-1].payload["error_message"] == "RuntimeError: the original failure"
    assert "alert sink ExplodingSink failed" in caplog.text
    assert "the pager is down" in caplog.text


def test_failed_job_posts_to_the_webhook_and_prints_an_alert(hook: Hook, tmp_path: Path) -> None:
    env = job_env(tmp_path, DWH_ALERT_WEBHOOK=hook.url)

    result = run_entry("noop", '{"fail_with": "disk full"}', env=env)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("dwh: alert: job 'noop' failed") for line in lines)
    assert lines[-1] == "dwh: job 'noop' failed: RuntimeError: disk full"
    (body,) = hook.bodies
    assert body["error_message"] == "RuntimeError: disk full"


def test_successful_job_raises_no_alert(hook: Hook, tmp_path: Path) -> None:
    result = run_entry("noop", "{}", env=job_env(tmp_path, DWH_ALERT_WEBHOOK=hook.url))

    assert result.returncode == 0
    assert "alert" not in result.stderr
    assert hook.bodies == []


@pytest.mark.parametrize("target", ["broken", "closed"])
def test_an_unreachable_webhook_keeps_the_job_error_and_exit_code(
    target: str, broken_hook: Hook, closed_port_url: str, tmp_path: Path
) -> None:
    url = broken_hook.url if target == "broken" else closed_port_url
    env = job_env(tmp_path, DWH_ALERTS="webhook", DWH_ALERT_WEBHOOK=url)

    result = run_entry("noop", '{"fail_with": "the real problem"}', env=env)

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "dwh: job 'noop' failed: RuntimeError: the real problem"
    assert any("alert sink WebhookAlertSink failed" in line for line in lines)


def test_bad_alert_settings_stop_the_run_before_it_starts(tmp_path: Path) -> None:
    stream = tmp_path / "events.jsonl"
    env = job_env(tmp_path, DWH_ALERTS="pager")

    result = run_entry("noop", "{}", "--events", str(stream), env=env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "dwh: error: DWH_ALERTS: unknown alert sink 'pager' (valid: stderr, webhook, or off)"
    ]
    assert not stream.exists() or stream.read_text() == ""

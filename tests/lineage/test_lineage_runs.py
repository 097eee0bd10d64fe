"""Runs through the real generic entry, with OpenLineage configured the standard ways.

No Spark: the ``relay`` and ``noop`` jobs. Each run is a child process, as in
production; the transports are the client's own (file, http).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lifecycle_support import entry_argv, job_env, run_entry
from lineage_schemas import read_lines

from dwh.cli.app import cli
from dwh.events import Event, EventName, RunStatus
from dwh.lineage import openlineage_run_id
from dwh.runs.store import RunStore

Check = Callable[[list[dict[str, Any]]], None]
SECRET = "Zq-lineage-token-Zq"
RELAY = json.dumps({"message": "hi", "api_token": SECRET})


def file_transport(path: Path) -> dict[str, str]:
    """The file transport, configured through ``OPENLINEAGE__`` variables."""
    return {
        "OPENLINEAGE__TRANSPORT__TYPE": "file",
        "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH": str(path),
        "OPENLINEAGE__TRANSPORT__APPEND": "true",
    }


def relay(
    run_id: str, env: dict[str, str], config: str = RELAY
) -> subprocess.CompletedProcess[str]:
    return run_entry("relay", config, "--has_spark", "false", "--run_id", run_id, env=env)


def without_tags(event: dict[str, Any]) -> dict[str, Any]:
    """The event less what the client adds on sending (its version tag)."""
    copy = json.loads(json.dumps(event))
    copy["run"]["facets"].pop("tags", None)
    return copy


def test_a_succeeding_run_sends_start_and_complete_through_openlineage_yml(
    no_lineage_env: Path, tmp_path: Path, check_events: Check
) -> None:
    sink = tmp_path / "lineage.jsonl"
    (no_lineage_env / "openlineage.yml").write_text(
        f"transport:\n  type: file\n  log_file_path: {sink}\n  append: true\n"
        "job:\n  namespace: team-images\n"
    )
    env = job_env(tmp_path)

    proc = relay("20261129T120000Z-aaaaaa", env)

    assert proc.returncode == 0, proc.stderr
    assert "OpenLineage" not in proc.stderr
    events = read_lines(sink)
    check_events(events)
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    assert {e["run"]["runId"] for e in events} == {openlineage_run_id("20261129T120000Z-aaaaaa")}
    assert {e["job"]["namespace"] for e in events} == {"team-images"}
    start, complete = events
    assert start["run"]["facets"]["dwh_run"]["config"]["api_token"] == "***"
    assert complete["run"]["facets"]["dwh_metrics"]["metrics"] == {"message": "hi", "length": 2}
    assert [(o["namespace"], o["name"]) for o in complete["outputs"]] == [
        ("file", str(no_lineage_env / "relay" / "hi"))
    ]
    assert SECRET not in sink.read_text()

    # The same events, rebuilt from the run store after the fact.
    result = CliRunner().invoke(
        cli, ["lineage", "20261129T120000Z-aaaaaa"], env={"DWH_HOME": env["DWH_HOME"]}
    )
    assert result.exit_code == 0, result.output
    rebuilt = [json.loads(line) for line in result.stdout.splitlines()]
    check_events(rebuilt)
    assert rebuilt == [without_tags(e) for e in events]


def test_a_failing_run_sends_fail_with_the_error_message(
    no_lineage_env: Path, tmp_path: Path, check_events: Check
) -> None:
    sink = tmp_path / "lineage.jsonl"
    env = job_env(tmp_path, **file_transport(sink))
    config = json.dumps(
        {"message": "hi", "api_token": SECRET, "fail_with": f"disk full, token {SECRET}"}
    )

    proc = relay("20261129T120100Z-bbbbbb", env, config)

    assert proc.returncode == 1
    events = read_lines(sink)
    check_events(events)
    assert [e["eventType"] for e in events] == ["START", "FAIL"]
    error = events[1]["run"]["facets"]["errorMessage"]
    assert error["message"] == "RuntimeError: disk full, token ***"
    assert error["programmingLanguage"] == "python"
    assert "stackTrace" not in error  # only with --debug
    assert SECRET not in sink.read_text()


def test_with_debug_a_fail_carries_the_stack_trace_secrets_hidden(
    no_lineage_env: Path, tmp_path: Path, check_events: Check
) -> None:
    sink = tmp_path / "lineage.jsonl"
    env = job_env(tmp_path, **file_transport(sink))
    config = json.dumps({"message": "hi", "api_token": SECRET, "fail_with": f"token {SECRET}"})

    proc = run_entry("relay", config, "--has_spark", "false", "--debug", env=env)

    assert proc.returncode == 1
    events = read_lines(sink)
    check_events(events)
    trace = events[1]["run"]["facets"]["errorMessage"]["stackTrace"]
    assert trace.startswith("Traceback (most recent call last):")
    assert "relay_job.py" in trace and "RuntimeError: token ***" in trace
    assert SECRET not in sink.read_text()


def test_a_cancelled_run_sends_abort(
    no_lineage_env: Path, tmp_path: Path, check_events: Check
) -> None:
    sink = tmp_path / "lineage.jsonl"
    env = job_env(tmp_path, **file_transport(sink))
    argv = entry_argv("noop", json.dumps({"sleep_seconds": 20}), "--has_spark", "false")
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not read_lines(sink) and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 130, stderr
    events = read_lines(sink)
    check_events(events)
    assert [e["eventType"] for e in events] == ["START", "ABORT"]
    assert events[0]["run"]["runId"] == events[1]["run"]["runId"]


class _Recorder(BaseHTTPRequestHandler):
    requests: list[tuple[str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.requests.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def lineage_server() -> Iterator[tuple[str, list[tuple[str, dict[str, str], bytes]]]]:
    """A small OpenLineage backend on 127.0.0.1 that records each request."""
    handler = type("Recorder", (_Recorder,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_http_transport_posts_each_event_to_the_endpoint(
    no_lineage_env: Path,
    tmp_path: Path,
    check_events: Check,
    lineage_server: tuple[str, list[tuple[str, dict[str, str], bytes]]],
) -> None:
    url, requests = lineage_server
    env = job_env(
        tmp_path,
        OPENLINEAGE_URL=url,
        OPENLINEAGE_ENDPOINT="api/v1/lineage",
        OPENLINEAGE_API_KEY="backend-key",
    )

    proc = relay("20261129T120200Z-cccccc", env)

    assert proc.returncode == 0, proc.stderr
    assert [path for path, _, _ in requests] == ["/api/v1/lineage", "/api/v1/lineage"]
    assert {headers["Authorization"] for _, headers, _ in requests} == {"Bearer backend-key"}
    assert {headers["Content-Type"] for _, headers, _ in requests} == {"application/json"}
    events = [json.loads(body) for _, _, body in requests]
    check_events(events)
    assert [e["eventType"] for e in events] == ["START", "COMPLETE"]
    assert all(SECRET.encode() not in body for _, _, body in requests)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_broken_transport_is_warned_about_once_and_the_job_succeeds(
    no_lineage_env: Path, tmp_path: Path
) -> None:
    config = tmp_path / "ol.yml"
    config.write_text(
        "transport:\n  type: http\n"
        f"  url: http://127.0.0.1:{_closed_port()}\n"
        "  timeout: 2\n  retry:\n    total: 0\n"
    )
    env = job_env(tmp_path, OPENLINEAGE_CONFIG=str(config))

    proc = relay("20261129T120300Z-dddddd", env)

    assert proc.returncode == 0, proc.stderr
    assert "job 'relay' succeeded" in proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "OpenLineage" in line]
    assert len(warnings) == 1, proc.stderr
    assert "dwh: warning: OpenLineage http failed" in warnings[0]
    assert "20261129T120300Z-dddddd" in warnings[0]


_PROBE = (
    "import sys\n"
    "from dwh.entry import main\n"
    "code = main(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str('openlineage' in sys.modules))\n"
    "sys.exit(code)\n"
)


@pytest.mark.parametrize("setting", ["unconfigured", "disabled"])
def test_without_configuration_or_disabled_nothing_is_sent_or_printed(
    no_lineage_env: Path, tmp_path: Path, setting: str
) -> None:
    sink = tmp_path / "lineage.jsonl"
    extra = (
        {**file_transport(sink), "OPENLINEAGE_DISABLED": "true"} if setting == "disabled" else {}
    )
    env = job_env(tmp_path, **extra)
    probe = tmp_path / "imported.txt"
    argv = entry_argv("relay", RELAY, "--has_spark", "false")
    argv = [sys.executable, "-c", _PROBE, str(probe), *argv[2:]]

    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "job 'relay' succeeded" in proc.stderr
    assert not sink.exists()
    assert list(no_lineage_env.iterdir()) == []  # no file, no console fallback
    assert probe.read_text() == "False"  # the client was never imported


def test_dwh_lineage_rebuilds_a_run_killed_without_a_final_event_and_sends_it(
    no_lineage_env: Path, tmp_path: Path, check_events: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dwh-home"
    monkeypatch.setenv("DWH_HOME", str(home))
    with RunStore(home / "runs.db") as store:
        store.record(Event(EventName.JOB_STARTED, "noop", "20261129T120400Z-eeeeee", {}))
        store.set_status("20261129T120400Z-eeeeee", RunStatus.CANCELLED, "killed")
    runner = CliRunner()

    printed = runner.invoke(cli, ["lineage", "20261129T120400Z-eeeeee"])
    unknown = runner.invoke(cli, ["lineage", "nope"])
    unconfigured = runner.invoke(cli, ["lineage", "20261129T120400Z-eeeeee", "--send"])
    sink = tmp_path / "sent.jsonl"
    for name, value in file_transport(sink).items():
        monkeypatch.setenv(name, value)
    sent = runner.invoke(cli, ["lineage", "20261129T120400Z-eeeeee", "--send"])

    assert printed.exit_code == 0, printed.output
    events = [json.loads(line) for line in printed.stdout.splitlines()]
    check_events(events)
    assert [e["eventType"] for e in events] == ["START", "ABORT"]
    assert events[1]["run"]["facets"]["errorMessage"]["message"] == "killed"
    assert unknown.exit_code == 2
    assert "no run 'nope' in the run store" in unknown.stderr
    assert unconfigured.exit_code == 2
    assert "--send needs an OpenLineage transport" in unconfigured.stderr
    assert sent.exit_code == 0, sent.output
    assert "sent 2 OpenLineage events" in sent.stderr
    assert [without_tags(e) for e in read_lines(sink)] == events

"""Lifecycle events: their order and contents, and live streaming to a watcher."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import entry_argv, job_env, run_entry

from dwh.events import SCHEMA_VERSION, Event, follow_events, read_events
from dwh.jobs.noop.noop_job_factory import main as noop_main
from dwh.run_context import config_hash
from dwh.runs.store import RunStore
from dwh.testing import RecordingEventPublisher

HEADER = {"schema_version", "event", "job", "run_id", "at"}


@pytest.fixture(autouse=True)
def _quiet_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWH_RUN_STORE", str(tmp_path / "runs.db"))
    monkeypatch.setenv("DWH_ALERTS", "off")
    monkeypatch.delenv("DWH_EVENTS", raising=False)


def run_noop(**config: Any) -> tuple[RecordingEventPublisher, BaseException | None]:
    recorder = RecordingEventPublisher()
    try:
        noop_main(noop_job=json.dumps(config), event_publisher=recorder, run_id="run-1")
    except Exception as exc:
        return recorder, exc
    return recorder, None


def test_success_events_come_in_order_with_their_payloads() -> None:
    recorder, error = run_noop(message="hi")

    assert error is None
    assert recorder.names == [
        "job_started",
        "phase_finished",
        "phase_finished",
        "phase_finished",
        "job_succeeded",
    ]
    started, *phases, succeeded = recorder.events
    assert {e.run_id for e in recorder.events} == {"run-1"}
    assert {e.job for e in recorder.events} == {"noop"}
    assert started.payload["config"]["message"] == "hi"
    assert started.payload["config_hash"] == config_hash(started.payload["config"])
    assert [p.payload["phase"] for p in phases] == ["extract", "transform", "load"]
    assert all(p.payload["rows"] == 0 and p.payload["seconds"] >= 0 for p in phases)
    assert succeeded.payload == {"metrics": {"message": "hi", "phases": 3}, "outputs": {}}
    times = [e.at for e in recorder.events]
    assert times == sorted(times)
    assert all(t.endswith("Z") for t in times)


def test_failure_events_stop_at_the_failing_phase() -> None:
    recorder, error = run_noop(fail_with="disk full")

    assert isinstance(error, RuntimeError)
    assert recorder.names == ["job_started", "phase_finished", "phase_finished", "job_failed"]
    failed = recorder.events[-1]
    assert failed.payload == {
        "error_type": "RuntimeError",
        "error_message": "RuntimeError: disk full",
        "cancelled": False,
    }


def test_triggered_run_carries_its_lineage_on_every_event() -> None:
    recorder = RecordingEventPublisher()
    config = {"triggered_by_job": "upstream", "triggered_by_run_id": "up-7"}

    noop_main(noop_job=json.dumps(config), event_publisher=recorder)

    assert {(e.triggered_by_job, e.triggered_by_run_id) for e in recorder.events} == {
        ("upstream", "up-7")
    }
    line = json.loads(recorder.events[0].to_json())
    assert line["triggered_by_job"] == "upstream"
    assert line["triggered_by_run_id"] == "up-7"


def test_event_json_is_flat_and_round_trips() -> None:
    event = Event("job_succeeded", "noop", "r1", {"metrics": {"n": 1}, "outputs": {"a": "p"}})

    line = event.to_json()
    data = json.loads(line)

    assert "\n" not in line
    assert HEADER <= set(data)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["metrics"] == {"n": 1}
    assert "triggered_by_job" not in data
    assert Event.from_json(line) == event


def test_entry_streams_events_to_a_file_as_json_lines(tmp_path: Path) -> None:
    stream = tmp_path / "events.jsonl"

    result = run_entry("noop", '{"message": "x"}', "--events", str(stream), env=job_env(tmp_path))

    assert result.returncode == 0, result.stderr
    events = [Event.from_json(line) for line in stream.read_text().splitlines()]
    assert (events[0].event, events[-1].event) == ("job_started", "job_succeeded")
    assert len({e.run_id for e in events}) == 1


def test_dwh_events_variable_names_the_stream(tmp_path: Path) -> None:
    stream = tmp_path / "from-env.jsonl"

    result = run_entry("noop", "{}", env=job_env(tmp_path, DWH_EVENTS=str(stream)))

    assert result.returncode == 0, result.stderr
    names = [json.loads(line)["event"] for line in stream.read_text().splitlines()]
    assert names[0] == "job_started" and names[-1] == "job_succeeded"


def test_stdout_stream_holds_only_event_lines(tmp_path: Path) -> None:
    result = run_entry("noop", "{}", "--events", "-", env=job_env(tmp_path))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert all(Event.from_json(line).job == "noop" for line in lines)


def test_watcher_sees_job_started_while_the_job_still_runs(tmp_path: Path) -> None:
    stream = tmp_path / "live.jsonl"
    argv = entry_argv("noop", '{"sleep_seconds": 0.7}', "--events", str(stream))
    proc = subprocess.Popen(argv, env=job_env(tmp_path), stderr=subprocess.PIPE, text=True)
    try:
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while "job_started" not in seen and time.monotonic() < deadline:
            if stream.exists():
                seen = [json.loads(line)["event"] for line in stream.read_text().splitlines()]
            time.sleep(0.05)
        still_running = proc.poll() is None
    finally:
        proc.communicate(timeout=60)

    assert "job_started" in seen
    assert "job_succeeded" not in seen
    assert still_running
    assert proc.returncode == 0


def test_events_on_a_file_descriptor_arrive_before_the_process_ends(tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    argv = entry_argv("noop", '{"sleep_seconds": 0.5}', "--events", f"fd:{write_fd}")
    proc = subprocess.Popen(
        argv, env=job_env(tmp_path), pass_fds=(write_fd,), stderr=subprocess.DEVNULL
    )
    os.close(write_fd)
    with os.fdopen(read_fd, encoding="utf-8") as pipe:
        first = Event.from_json(pipe.readline())
        running_when_first_arrived = proc.poll() is None
        rest = [Event.from_json(line) for line in pipe]
    proc.wait(timeout=60)

    assert first.event == "job_started"
    assert running_when_first_arrived
    assert rest[-1].event == "job_succeeded"
    assert proc.returncode == 0


def test_cancelled_run_streams_job_failed_with_cancelled_true(tmp_path: Path) -> None:
    stream = tmp_path / "cancel.jsonl"
    env = job_env(tmp_path)
    argv = entry_argv("noop", '{"sleep_seconds": 30}', "--events", str(stream))
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (stream.exists() and stream.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.terminate()
    _, stderr = proc.communicate(timeout=60)

    assert proc.returncode == 130, stderr
    last = json.loads(stream.read_text().splitlines()[-1])
    assert last["event"] == "job_failed"
    assert last["cancelled"] is True
    record = RunStore(Path(env["DWH_HOME"]) / "runs.db").get(last["run_id"])
    assert record is not None, stderr
    assert record.status == "cancelled", stderr


def test_follow_events_yields_events_live_and_stops_at_the_end(tmp_path: Path) -> None:
    stream = tmp_path / "followed.jsonl"
    argv = entry_argv("noop", '{"sleep_seconds": 0.5}', "--events", str(stream))
    proc = subprocess.Popen(argv, env=job_env(tmp_path), stderr=subprocess.DEVNULL)
    try:
        running_at: dict[str, bool] = {}
        followed = []
        for event in follow_events(stream, timeout=60):
            running_at.setdefault(event.event, proc.poll() is None)
            followed.append(event)
    finally:
        proc.wait(timeout=60)

    assert followed[0].event == "job_started"
    assert followed[-1].event == "job_succeeded"
    assert running_at["job_started"]
    assert read_events(stream) == followed


def test_follow_events_gives_up_after_its_timeout(tmp_path: Path) -> None:
    partial = tmp_path / "partial.jsonl"
    partial.write_text(Event("job_started", "noop", "r1", {}).to_json() + '\n{"half')

    seen = list(follow_events(partial, timeout=0.5, poll_seconds=0.05))

    assert [e.event for e in seen] == ["job_started"]

"""Warm runs through ``dwh run --warm``: same output, fresh code, isolation, faults.

All share one private server (``warm_server``); the fault test replaces it, and the
last test stops it through ``dwh spark stop``.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from warm_support import (
    DWH,
    check_progress,
    dwh_run,
    metrics_of,
    probe_package,
    read_events,
    set_marker_version,
    start_dwh_run,
)

from dwh.events import EventName, RunStatus
from dwh.runs.store import RunStore
from dwh.spark.server import ServerStatus, server_status

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The probe job package and the environment to run it in."""
    return probe_package(tmp_path_factory)


def _rows(path: Path) -> list[dict[str, Any]]:
    table = pq.read_table(path)
    rows = table.to_pylist()
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def _one_line_failure(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("dwh: error:")]
    assert len(errors) == 1, stderr
    return errors[0]


def test_warm_output_equals_cold_row_for_row_and_both_report_progress(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    raw = tmp_path / "raw"
    subprocess.run(
        [str(Path(DWH).with_name("python")), "-m", "examples.generate_images",
         "--out", str(raw), "--size", "1000", "--days", "2026-11-24"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    runs = {}
    for kind in ("cold", "warm"):
        config = {
            "raw_path": str(raw / "2026-11-24"),
            "output_path": str(tmp_path / kind / "images"),
            "rejects_path": str(tmp_path / kind / "rejects"),
        }
        events = tmp_path / f"{kind}.jsonl"
        result = dwh_run("transform_images", config, env=env, events=events, warm=kind == "warm")
        assert result.returncode == 0, result.stderr
        runs[kind] = read_events(events)
        check_progress(runs[kind])

    assert metrics_of(runs["warm"])["output_rows"] == metrics_of(runs["cold"])["output_rows"] > 0
    for output in ("images", "rejects"):
        assert _rows(tmp_path / "warm" / output) == _rows(tmp_path / "cold" / output)
    store = RunStore(Path(env["DWH_HOME"]) / "runs.db", create=False)
    for kind in ("cold", "warm"):
        run_id = runs[kind][0]["run_id"]
        assert store.get(run_id).status == RunStatus.SUCCEEDED  # type: ignore[union-attr]
        events = store.events(run_id)
        stored = [event.event for event in events]
        assert EventName.JOB_SUCCEEDED in stored
        # No ticks: at most one spark_progress per stage, each of a finished stage.
        kept = [e.payload for e in events if e.event == EventName.SPARK_PROGRESS]
        assert len({p["stage_id"] for p in kept}) == len(kept)
        assert all(p["tasks_done"] == p["tasks_total"] for p in kept)


def test_a_code_change_reaches_the_driver_and_the_executors(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = probe
    seen = []
    for version in ("v1", "v2"):
        set_marker_version(root, version)
        events = tmp_path / f"{version}.jsonl"
        config = {"mode": "code", "output_path": str(tmp_path / "out")}
        result = dwh_run("probe", config, env=env, events=events)
        assert result.returncode == 0, result.stderr
        seen.append(metrics_of(read_events(events)))
        check_progress(read_events(events))

    for version, metrics in zip(("v1", "v2"), seen, strict=True):
        assert metrics == {
            "driver": version, "arrow": [version], "pandas": [version], "udf": [version]
        }  # fmt: skip
    assert server_status().pid == warm_server.pid  # no restart in between


def test_temp_views_conf_and_cached_tables_do_not_leak_between_runs(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    results = []
    for mode in ("set_state", "read_state"):
        events = tmp_path / f"{mode}.jsonl"
        config = {"mode": mode, "output_path": str(tmp_path / "out")}
        result = dwh_run("probe", config, env=env, events=events)
        assert result.returncode == 0, result.stderr
        results.append(metrics_of(read_events(events)))

    assert results[0] == {"views": ["probe_cached", "probe_view"]}
    assert results[1] == {"views": [], "setting": None}


def test_a_job_using_spark_context_fails_warm_saying_to_run_it_cold(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    events = tmp_path / "classic.jsonl"
    config = {"mode": "classic", "output_path": str(tmp_path / "out")}

    result = dwh_run("probe", config, env=env, events=events)

    assert result.returncode == 1
    line = _one_line_failure(result.stderr)
    assert "uses spark.sparkContext" in line and "run it cold, without --warm" in line
    failed = read_events(events)[-1]
    assert failed["event"] == EventName.JOB_FAILED
    assert failed["error_type"] == "SparkConnectUnsupportedError"
    assert (
        (tmp_path / "out" / "on_failure.txt")
        .read_text()
        .startswith("SparkConnectUnsupportedError: job 'probe' uses spark.sparkContext")
    )


def test_two_warm_runs_at_once_both_succeed(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    procs = [
        start_dwh_run(
            "probe",
            {"mode": "code", "output_path": str(tmp_path / f"out{i}")},
            env=env,
            events=tmp_path / f"{i}.jsonl",
        )
        for i in range(2)
    ]
    outcomes = []
    for proc in procs:
        try:
            _, stderr = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
        outcomes.append((proc.returncode, stderr))

    assert [code for code, _ in outcomes] == [0, 0], outcomes
    for i in range(2):
        assert metrics_of(read_events(tmp_path / f"{i}.jsonl"))["driver"]


def test_a_server_killed_mid_run_fails_that_run_and_the_next_starts_a_new_one(
    warm_server: ServerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    pid = server_status().pid
    assert pid is not None
    events = tmp_path / "slow.jsonl"
    config = {"mode": "slow", "output_path": str(tmp_path / "out")}
    proc = start_dwh_run("probe", config, env=env, events=events)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _progress_seen(events):
            time.sleep(0.2)
        assert _progress_seen(events), "the slow stage never started"
        os.kill(pid, signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 1, stderr
    _one_line_failure(stderr)
    assert (tmp_path / "out" / "on_failure.txt").exists()
    run_id = read_events(events)[0]["run_id"]
    with sqlite3.connect(Path(env["DWH_HOME"]) / "runs.db") as db:
        status = db.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    assert status == (RunStatus.FAILED,)

    again = dwh_run("probe", {"mode": "read_state", "output_path": str(tmp_path / "out")},
                    env=env, events=tmp_path / "again.jsonl")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "dwh: started a Spark server at sc://localhost:" in again.stderr
    assert server_status().running and server_status().pid != pid


def test_stop_stops_the_server_and_is_then_a_no_op(warm_server: ServerStatus) -> None:
    pid = server_status().pid
    assert pid is not None
    first = subprocess.run([DWH, "spark", "stop"], capture_output=True, text=True, check=True)
    second = subprocess.run([DWH, "spark", "stop"], capture_output=True, text=True, check=True)

    assert "Spark server stopped" in first.stderr
    assert "no Spark server was running" in second.stderr
    assert server_status() == ServerStatus(running=False)
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def _progress_seen(events: Path) -> bool:
    return events.exists() and EventName.SPARK_PROGRESS in events.read_text()

"""The run store keeps each run's backfill id; older stores gain the column when opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lifecycle_support import job_env, run_entry

from dwh.events import Event
from dwh.runs._db import STORE_VERSION
from dwh.runs.store import RunStore

V2_RUNS = (
    "CREATE TABLE runs (run_id TEXT PRIMARY KEY, job TEXT NOT NULL, module TEXT, "
    "status TEXT NOT NULL, config TEXT NOT NULL DEFAULT '{}', config_hash TEXT, "
    "started_at TEXT, ended_at TEXT, metrics TEXT, outputs TEXT, error TEXT, "
    "triggered_by_job TEXT, triggered_by_run_id TEXT, updated_at TEXT NOT NULL, "
    "pid INTEGER, host TEXT)"
)


def test_a_version_2_store_gains_the_backfill_column_keeping_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with sqlite3.connect(path) as conn:
        conn.execute(V2_RUNS)
        conn.execute(
            "INSERT INTO runs (run_id, job, status, started_at, updated_at) VALUES "
            "('old', 'noop', 'succeeded', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        )
        conn.execute("PRAGMA user_version = 2")

    with RunStore(path) as store:
        store.record(Event("job_started", "noop", "new", {"config": {}, "backfill_id": "bf-1"}))
        old, new = store.get("old"), store.get("new")
        by_backfill = [run.run_id for run in store.runs(backfill_id="bf-1")]

    assert old is not None and old.backfill_id is None and old.status == "succeeded"
    assert new is not None and new.backfill_id == "bf-1"
    assert by_backfill == ["new"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(runs)")}
    assert "runs_by_backfill" in indexes


def test_the_entry_takes_backfill_id_into_job_started_and_the_store(tmp_path: Path) -> None:
    env = job_env(tmp_path)
    events = tmp_path / "events.jsonl"

    result = run_entry(
        "noop", "{}", "--has_spark", "false", "--run_id", "r-1", "--backfill_id", "bf-9",
        "--events", str(events), env=env,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    started = Event.from_json(events.read_text().splitlines()[0])
    assert started.event == "job_started" and started.payload["backfill_id"] == "bf-9"
    with RunStore(Path(env["DWH_HOME"]) / "runs.db") as store:
        record = store.get("r-1")
    assert record is not None and record.backfill_id == "bf-9"


def test_a_run_outside_a_backfill_has_no_backfill_id(tmp_path: Path) -> None:
    env = job_env(tmp_path)
    events = tmp_path / "events.jsonl"

    result = run_entry("noop", "{}", "--has_spark", "false", "--events", str(events), env=env)

    assert result.returncode == 0, result.stderr
    assert "backfill_id" not in Event.from_json(events.read_text().splitlines()[0]).payload

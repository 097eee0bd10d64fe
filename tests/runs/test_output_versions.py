"""The run store records which run wrote each version of an output (schema version 4)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from dwh.runs._db import STORE_VERSION
from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run


def test_each_succeeded_run_is_a_version_newest_first_under_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with RunStore(tmp_path / "runs.db") as store:
        for n in range(3):
            outputs = {"output_path": "data/out", "rejects_path": f"data/rejects-{n}"}
            record_succeeded_run(store, f"R{n}", "job", outputs, minute=f"2026-11-25T18:3{n}")
        versions = store.output_versions("data/out")
        assert [v.run_id for v in versions] == ["R2", "R1", "R0"]
        assert {v.output for v in versions} == {"output_path"}
        assert store.output_versions(os.path.abspath("data/out")) == versions
        monkeypatch.chdir(tmp_path / "..")
        assert store.output_versions("data/out") == [], "stored absolute, not as typed"
        assert [v.run_id for v in store.output_versions("s3://b/x")] == []


def test_a_version_3_store_gains_the_versions_table_on_open(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    with RunStore(path) as store:
        record_succeeded_run(store, "OLD", "job", {"output_path": str(tmp_path / "o")})
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE output_versions")
        conn.execute("PRAGMA user_version = 3")
    with RunStore(path) as store:
        assert store.output_versions(str(tmp_path / "o")) == [], "older runs have no rows"
        assert store.get("OLD") is not None
        record_succeeded_run(store, "NEW", "job", {"output_path": str(tmp_path / "o")})
        assert [v.run_id for v in store.output_versions(str(tmp_path / "o"))] == ["NEW"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION == 4

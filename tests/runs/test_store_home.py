"""Where the run store goes by default: never the working directory of a production run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dwh import settings
from dwh.runs.store import RunStore, store_path_from_env

REPO = Path(__file__).resolve().parents[2]
NOOP = "dwh.jobs.noop.noop_job_factory"


def production_env(home: Path) -> dict[str, str]:
    """The environment of a cluster run: no DWH_* settings, HOME the user's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWH_")}
    env.update(HOME=str(home), PYTHONPATH=str(REPO), PYSPARK_PYTHON=sys.executable)
    env["PYSPARK_DRIVER_PYTHON"] = sys.executable
    return env


def spark_submit() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-submit")


@pytest.mark.spark
def test_a_spark_submit_from_another_folder_leaves_no_store_there(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "user"
    home.mkdir()
    entry = REPO / "scripts" / "container" / "generic_entry.py"
    argv = [spark_submit(), "--master", "local[1]", str(entry), "--module_name", NOOP]
    argv += ["--noop_job", "{}", "--has_spark", "false", "--run_id", "far-away-1"]

    proc = subprocess.run(
        argv, cwd=elsewhere, env=production_env(home), capture_output=True, text=True
    )

    assert proc.returncode == 0, proc.stderr
    assert list(elsewhere.iterdir()) == []
    with RunStore(home / ".dwh" / "runs.db", create=False) as store:
        record = store.get("far-away-1")
    assert record is not None and record.status == "succeeded"


def test_with_no_writable_home_the_store_is_off_and_the_run_goes_on(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    events = tmp_path / "events.jsonl"
    entry = REPO / "scripts" / "container" / "generic_entry.py"
    argv = [sys.executable, str(entry), "--module_name", NOOP, "--noop_job", "{}"]
    argv += ["--has_spark", "false", "--events", str(events)]

    proc = subprocess.run(
        argv, cwd=elsewhere, env=production_env(not_a_folder / "home"), capture_output=True
    )

    assert proc.returncode == 0, proc.stderr
    assert list(elsewhere.iterdir()) == []
    names = [json.loads(line)["event"] for line in events.read_text().splitlines()]
    assert names[-1] == "job_succeeded"


def test_the_default_home_is_the_projects_then_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "src" / "deep").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    user = tmp_path / "user"
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.chdir(project / "src" / "deep")
    assert settings.dwh_home({}) == project.resolve() / ".dwh"
    assert store_path_from_env({}) == project.resolve() / ".dwh" / "runs.db"

    monkeypatch.chdir(tmp_path)
    assert settings.dwh_home({}) == user / ".dwh"
    assert settings.dwh_home({"DWH_PROJECT_ROOT": str(project)}) == project / ".dwh"
    assert store_path_from_env({"DWH_HOME": str(tmp_path / "h")}) == tmp_path / "h" / "runs.db"

    monkeypatch.setenv("HOME", str(tmp_path / "user" / "x"))
    (tmp_path / "user").write_text("a file, not a folder")
    assert store_path_from_env({}) is None
    assert store_path_from_env({"DWH_RUN_STORE": str(tmp_path / "r.db")}) == tmp_path / "r.db"

"""``dwh run --follow --warm`` and ``python -m dwh.triggers --warm``: chains run warm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dwh.events import EventName
from dwh.spark.status import ServerStatus, server_status

WARM_JOBS = Path(__file__).resolve().parents[1] / "tui" / "fixture_jobs"
DWH = str(Path(sys.executable).with_name("dwh"))


@pytest.mark.spark
def test_follow_warm_runs_the_whole_chain_on_the_warm_server(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    triggers = tmp_path / "triggers.json"
    triggers.write_text(
        json.dumps({"crunch": [{"job": "recrunch", "config": {"rows": 1000, "partitions": 2}}]})
    )
    events = tmp_path / "events.jsonl"
    env = {
        **os.environ,
        "DWH_JOB_PACKAGES": "dwh.jobs,tuiwarmjobs",
        "PYTHONPATH": os.pathsep.join([str(WARM_JOBS), os.environ.get("PYTHONPATH", "")]),
    }
    command = [DWH, "run", "crunch", "--config", '{"rows": 1000, "partitions": 2}', "--follow"]
    command += ["--warm", "--triggers", str(triggers), "--events", str(events)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    finished = [
        json.loads(line)
        for line in events.read_text().splitlines()
        if json.loads(line)["event"] == EventName.JOB_SUCCEEDED
    ]
    assert [event["job"] for event in finished] == ["crunch", "recrunch"]
    assert all(event["metrics"]["session"] == "connect" for event in finished)
    assert "chain: recrunch" in done.stderr
    assert server_status().pid == warm_server.pid  # the chain reused the running server


def test_follow_with_spark_remote_is_still_refused_but_names_warm() -> None:
    done = subprocess.run(
        [DWH, "run", "noop", "--config", "{}", "--follow", "--spark-remote", "sc://x:1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "use --warm" in done.stderr


@pytest.mark.spark
def test_the_trigger_runner_takes_warm_too(warm_server: ServerStatus, tmp_path: Path) -> None:
    from dwh.runs.store import RunStore

    env = {
        **os.environ,
        "DWH_HOME": str(tmp_path / "home"),
        "DWH_JOB_PACKAGES": "dwh.jobs,tuiwarmjobs",
        "PYTHONPATH": os.pathsep.join([str(WARM_JOBS), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "dwh.triggers", "crunch", "--no-follow", "--warm", "--config", "{}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    with RunStore(tmp_path / "home" / "runs.db", create=False) as store:
        (record,) = store.runs()
    assert record.metrics is not None
    assert record.metrics["session"] == "connect"

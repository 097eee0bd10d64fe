"""A cold local run prints none of Spark's start-up notices; the stored log keeps them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dwh.launch import LogLine, RunRequest, SubprocessLauncher
from dwh.runs.logs import read_log
from dwh.spark.conf import LOG4J2_FILE

REPO = Path(__file__).resolve().parents[2]

# The notebook tests' Spark job: writes a few rows with a fresh local session.
FIXTURE_JOBS = REPO / "tests" / "notebooks" / "fixture_jobs"


# What every cold run printed before (issue 28): the hostname, the log4j profile (twice),
# the default level and native-hadoop lines.
NOISE = (
    "resolves to a loopback address",
    "Set SPARK_LOCAL_IP",
    "Using Spark's default log4j profile",
    "Setting default log level",
    "To adjust logging level",
    "NativeCodeLoader",
)


@pytest.fixture
def project(tmp_path: Path) -> dict[str, str]:
    """The environment of a run of the one Spark job, with an empty trigger map."""
    (tmp_path / "triggers.json").write_text("{}")
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_LOCAL_IP", "DWH_TRIGGERS")}
    env.pop("DWH_SPARK_STARTUP_LOG", None)
    env.update(
        DWH_HOME=str(tmp_path / "home"),
        DWH_JOB_PACKAGES="dwh.jobs,nbjobs",
        DWH_ALERTS="off",
        DWH_TRIGGERS=str(tmp_path / "triggers.json"),
        PYTHONPATH=os.pathsep.join([str(FIXTURE_JOBS), str(REPO)]),
    )
    return env


def dwh(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from dwh.cli import main; main()", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def noise_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(n in line for n in NOISE)]


@pytest.mark.spark
def test_a_cold_run_prints_no_start_up_notices(project: dict[str, str], tmp_path: Path) -> None:
    config = json.dumps({"output_path": str(tmp_path / "out"), "rows": 3})
    result = dwh("run", "sparkrows", "-c", config, env=project, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "dwh: job 'sparkrows' succeeded" in result.stderr
    assert noise_in(result.stderr) == []


@pytest.mark.spark
def test_a_launched_cold_run_keeps_them_in_its_stored_log_only(
    project: dict[str, str], tmp_path: Path
) -> None:
    config = json.dumps({"output_path": str(tmp_path / "out"), "rows": 3})
    argv = ["run", "sparkrows", "-c", config, "--follow", "--run-id", "quiet-1"]
    result = dwh(*argv, env=project, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "chain: sparkrows quiet-1 succeeded" in result.stderr
    assert noise_in(result.stderr) == []
    log = dwh("runs", "log", "quiet-1", env=project, cwd=tmp_path)
    assert log.returncode == 0, log.stderr
    assert [line for line in noise_in(log.stdout) if "NativeCodeLoader" in line] != []
    assert "dwh: job 'sparkrows' succeeded" in log.stdout


@pytest.mark.spark
async def test_the_tuis_launcher_shows_none_and_stores_them(
    project: dict[str, str], tmp_path: Path
) -> None:
    request = RunRequest(
        "sparkrows",
        "nbjobs.sparkrows.sparkrows_job_factory",
        {"output_path": str(tmp_path / "out"), "rows": 2},
        True,
        "quiet-2",
        env={k: project[k] for k in ("DWH_HOME", "DWH_JOB_PACKAGES", "DWH_ALERTS", "PYTHONPATH")},
    )

    handle = await SubprocessLauncher().launch(request)
    shown = [item.text async for item in handle.items() if isinstance(item, LogLine)]

    assert handle.returncode == 0, shown
    assert noise_in("\n".join(shown)) == []
    stored = read_log("quiet-2", {"DWH_HOME": project["DWH_HOME"]}) or []
    assert [line for line in stored if "NativeCodeLoader" in line] != []


def test_the_log4j2_file_ships_inside_the_package() -> None:
    assert LOG4J2_FILE.parent == REPO / "dwh" / "spark"
    text = LOG4J2_FILE.read_text(encoding="utf-8")
    assert "${sys:dwh.spark.startup:-DENY}" in text
    assert "appender.console.target = SYSTEM_ERR" in text

"""A cold local run prints none of Spark's start-up notices; the stored log keeps them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dwh.spark.conf import LOG4J2_FILE

REPO = Path(__file__).resolve().parents[2]

JOB = textwrap.dedent(
    '''
    """Counts a few rows on a fresh local session."""
    from typing import Any

    from dwh.config import JobConfig
    from dwh.jobs.abstract_job import AbstractJob
    from dwh.jobs.abstract_job_factory import AbstractJobFactory


    class CountRowsConfig(JobConfig):
        rows: int = 3


    class CountRowsJob(AbstractJob):
        def __init__(self, spark: Any, **services: Any) -> None:
            super().__init__(**services)
            self.spark = spark

        def execute_job(self, rows: int) -> dict[str, int]:
            return {"rows": self.spark.range(rows).count()}

        def on_success(self, results: Any) -> None:
            pass

        def on_failure(self, error_message: str) -> None:
            pass


    class CountRowsJobFactory(AbstractJobFactory[CountRowsConfig]):
        job_name = "countrows"
        config_model = CountRowsConfig

        def create_job(self, **kwargs: Any) -> CountRowsJob:
            self.parse_job_config(**kwargs)
            return CountRowsJob(self.get_spark_session(), **self.job_services())


    def main(**kwargs: Any) -> Any:
        return CountRowsJobFactory(**kwargs).run(**kwargs)
    '''
)

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
    """A job package with the one Spark job (and an empty trigger map), and its environment."""
    job = tmp_path / "src" / "quietjobs" / "countrows"
    job.mkdir(parents=True)
    (job.parent / "__init__.py").write_text("")
    (job.parent / "triggers.json").write_text("{}")
    (job / "__init__.py").write_text("")
    (job / "countrows_job_factory.py").write_text(JOB)
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_LOCAL_IP", "DWH_TRIGGERS")}
    env.pop("DWH_SPARK_STARTUP_LOG", None)
    env.update(
        DWH_HOME=str(tmp_path / "home"),
        DWH_JOB_PACKAGES="dwh.jobs,quietjobs",
        DWH_ALERTS="off",
        PYTHONPATH=os.pathsep.join([str(tmp_path / "src"), str(REPO)]),
    )
    return env


def dwh(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from dwh.cli import main; main()", *args]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def noise_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if any(n in line for n in NOISE)]


@pytest.mark.spark
def test_a_cold_run_prints_no_start_up_notices(project: dict[str, str], tmp_path: Path) -> None:
    result = dwh("run", "countrows", "-c", "{}", env=project, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "dwh: job 'countrows' succeeded" in result.stderr
    assert noise_in(result.stderr) == []


@pytest.mark.spark
def test_a_launched_cold_run_keeps_them_in_its_stored_log_only(
    project: dict[str, str], tmp_path: Path
) -> None:
    result = dwh(
        "run", "countrows", "-c", "{}", "--follow", "--run-id", "quiet-1", env=project, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "chain: countrows quiet-1 succeeded" in result.stderr
    assert noise_in(result.stderr) == []
    log = dwh("runs", "log", "quiet-1", env=project, cwd=tmp_path)
    assert log.returncode == 0, log.stderr
    assert [line for line in noise_in(log.stdout) if "NativeCodeLoader" in line] != []
    assert "dwh: job 'countrows' succeeded" in log.stdout


def test_the_log4j2_file_ships_inside_the_package() -> None:
    assert LOG4J2_FILE.parent == REPO / "dwh" / "spark"
    text = LOG4J2_FILE.read_text(encoding="utf-8")
    assert "${sys:dwh.spark.startup:-DENY}" in text
    assert "appender.console.target = SYSTEM_ERR" in text

"""The warm runner's rows of ``warm_loop`` (issue 25): what a forked warm run costs.

- a trivial Spark job (one ``count`` of 10 rows) end to end through ``dwh run --warm``
  (target <= 0.6 s), interleaved with the same run with the runner off
  (``DWH_WARM_RUNNER=off``: today's fresh process);
- the thin client's own import time: ``dwh.cli`` and the runner client, as the
  ``dwh run --warm`` process imports them before handing over, against ``python -c pass``.

The trivial job lives in a job package written to the bench folder (``benchcount``).
"""

from __future__ import annotations

import json
import os
from itertools import count
from pathlib import Path

from benchmarks.common import Settings, run_process
from benchmarks.harness import Row, Summary, column, compare, interleave, python

TRIVIAL_LIMIT_S = 0.6

_FACTORY = '''"""One count of 10 rows: the smallest Spark job."""

from typing import Any

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class CountConfig(JobConfig):
    """Nothing to set."""

    rows: int = 10


class CountJob(AbstractJob):
    """Counts ``rows`` rows."""

    def __init__(self, spark: Any, **services: Any) -> None:
        super().__init__(**services)
        self.spark = spark

    def execute_job(self, rows: int) -> dict[str, Any]:
        with self.phase("transform"):
            return {"count": self.spark.range(rows).count()}

    def on_success(self, results: Any) -> None:
        pass

    def on_failure(self, error_message: str) -> None:
        pass


class CountJobFactory(AbstractJobFactory[CountConfig]):
    job_name = "count"
    config_model = CountConfig

    def create_job(self, **kwargs: Any) -> CountJob:
        self.parse_job_config(**kwargs)
        return CountJob(self.get_spark_session(), **self.job_services())


def main(**kwargs: Any) -> Any:
    return CountJobFactory(**kwargs).run(**kwargs)
'''


def trivial_env(root: Path, env: dict[str, str]) -> dict[str, str]:
    """Write the ``benchcount.count`` job under ``root``; return an env that finds it."""
    package = root / "jobs" / "benchcount" / "count"
    package.mkdir(parents=True, exist_ok=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "count_job_factory.py").write_text(_FACTORY)
    return {
        **env,
        "PYTHONPATH": os.pathsep.join([env["PYTHONPATH"], str(root / "jobs")]),
        "DWH_JOB_PACKAGES": "dwh.jobs,benchcount",
    }


def trivial(settings: Settings, root: Path, env: dict[str, str]) -> list[Row]:
    """The trivial job through the runner, against the runner off; interleaved."""
    jobs_env = trivial_env(root, env)
    off_env = {**jobs_env, "DWH_WARM_RUNNER": "off"}
    serial = count()

    def one(environ: dict[str, str]) -> float:
        command = [str(Path(python()).with_name("dwh")), "run", "count", "--warm",
                   "--config", json.dumps({"rows": 10}), "--no-diff",
                   "--run-id", f"bench-count-{next(serial)}"]  # fmt: skip
        result = run_process(command, env=environ)
        if "warm runner:" in result.stderr and environ is jobs_env:
            raise RuntimeError(f"the run did not go through the runner: {result.stderr}")
        return result.wall

    pairs = interleave(lambda: one(off_env), lambda: one(jobs_env), pairs=max(settings.pairs, 5))
    through = Summary.of(column(pairs.b))
    row = compare(
        "warm runner: a trivial Spark job (count of 10 rows), dwh run --warm end to end",
        ("runner off (a fresh process)", "through the runner"),
        pairs,
        note="whole `dwh run --warm` processes; the spare session is not waited for "
        "(a count runs no Python on the server)",
    )
    row.headline = f"{through.median:.2f} s through the runner; {row.headline} against off"
    row.target = f"<= {TRIVIAL_LIMIT_S} s"
    row.met = through.median <= TRIVIAL_LIMIT_S
    return [row, _client_import(jobs_env)]


def _client_import(env: dict[str, str]) -> Row:
    code = "import dwh.cli, dwh.spark._runner_client"
    pairs = interleave(
        lambda: run_process([python(), "-c", "pass"], env=env).wall,
        lambda: run_process([python(), "-c", code], env=env).wall,
        pairs=10,
    )
    a, b = Summary.of(column(pairs.a)), Summary.of(column(pairs.b))
    return Row(
        "warm runner: the thin client's start (interpreter and imports before it hands over)",
        f"python -c pass: {a.text()}",
        f"import dwh.cli and the runner client: {b.text()}",
        f"+{b.median - a.median:.3f} s",
        note="no click, pydantic or pyspark: those are imported in the runner, once",
        data={"a": pairs.a, "b": pairs.b},
    )

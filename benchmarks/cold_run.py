"""``python -m benchmarks.cold_run [RUNS]``: the cold-run figure the README states.

A job fresh from ``dwh new small_job`` (in a scratch project that uses this checkout's
dwh) reads 2,000 rows of parquet, drops duplicates and writes parquet. Each run is a
cold ``dwh run small_job``: a new Python process, a new JVM and Spark session, as a
user's first run of the day. It prints one row per run, with both figures the run's
``dwh:`` line gives (job time: ``job_started`` to the final event; process wall: that
plus starting Python, importing the job and starting Spark), and the load average,
which on a shared machine moves the figures more than anything else.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JOB = "small_job"
_LINE = re.compile(r"succeeded in ([\d.]+)s job time, ([\d.]+)s process wall")


def _dwh(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from dwh.cli import main; main()", *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=True
    )


def _project(folder: Path) -> tuple[Path, dict[str, str]]:
    """A scratch project with ``small_job`` scaffolded and its input written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    project = folder / "project"
    (project / "benchjobs").mkdir(parents=True)
    (project / "benchjobs" / "__init__.py").write_text('"""Benchmark jobs."""\n')
    (project / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n')
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project), str(REPO)]),
        "DWH_JOB_PACKAGES": "benchjobs",
        "DWH_HOME": str(folder / "home"),
        "DWH_ALERTS": "off",
    }
    _dwh(["new", JOB], project, env)
    source = project / "data" / "input"
    source.mkdir(parents=True)
    ids = list(range(1_000)) * 2
    table = pa.table({"id": ids, "name": [f"name-{i}" for i in ids]})
    pq.write_table(table, source / "part-00000.parquet")
    return project, env


def main(runs: int = 3) -> None:
    """Run ``runs`` cold runs and print the table."""
    with tempfile.TemporaryDirectory(prefix="dwh-cold-") as scratch:
        project, env = _project(Path(scratch))
        config = json.dumps(
            {"input_path": "data/input", "output_path": "data/output", "key_columns": ["id"]}
        )
        print("| run | job time | process wall | wall seen from outside | load (1 min) |")
        print("|---|---|---|---|---|")
        walls: list[float] = []
        for index in range(1, runs + 1):
            load = os.getloadavg()[0]
            started = time.perf_counter()
            result = _dwh(["run", JOB, "--config", config], project, env)
            outside = time.perf_counter() - started
            found = _LINE.search(result.stderr + result.stdout)
            if found is None:
                raise SystemExit(f"no verdict line in the run's output:\n{result.stderr}")
            job_time, wall = float(found[1]), float(found[2])
            walls.append(wall)
            print(f"| {index} | {job_time:.1f} s | {wall:.1f} s | {outside:.1f} s | {load:.1f} |")
        print(f"\nmedian process wall: {statistics.median(walls):.1f} s over {runs} cold runs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

"""A job package written to a temp folder, run warm through ``dwh run --warm``.

``warmjobs.probe`` is not importable by the Spark server's Python workers (its folder
is on no path of theirs), so every executor function it uses reaches them by value,
and an edit to ``marker.py`` between two runs shows which code the workers ran.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

WORKTREE = Path(__file__).resolve().parents[2]
DWH = str(Path(sys.executable).with_name("dwh"))

MARKER = '''"""Code that runs on the driver and, through Arrow, pandas and a UDF, on executors."""

VERSION = "{version}"


def arrow_tag(batches):
    import pyarrow as pa

    for batch in batches:
        ids = batch.column("id")
        yield pa.RecordBatch.from_pydict({{"id": ids, "tag": [VERSION] * len(ids)}})


def pandas_tag(frames):
    for frame in frames:
        yield frame.assign(tag=VERSION)


def udf_tag(value):
    return VERSION


def slow(frames):
    import time

    for frame in frames:
        time.sleep(20)
        yield frame


def hold(frames):
    """Say it started (a file in the folder VERSION names), then wait for a ``go`` file."""
    import os
    import pathlib
    import time

    folder = pathlib.Path(VERSION)
    (folder / f"started-{{os.getpid()}}").write_text("")
    deadline = time.monotonic() + 1200  # a safety net only: the test writes go
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    for frame in frames:
        yield frame
'''

CONFIG = '''from dwh.config import JobConfig


class ProbeConfig(JobConfig):
    """What the probe does."""

    mode: str
    output_path: str
'''

JOB = '''import pathlib
from typing import Any

from warmjobs.probe import marker

from dwh.jobs.abstract_job import AbstractJob


class ProbeJob(AbstractJob):
    """Reports what the driver and the executors see."""

    def __init__(self, spark: Any, **services: Any) -> None:
        super().__init__(**services)
        self.spark = spark
        self.output_path = ""

    def execute_job(self, mode: str, output_path: str, **_: Any) -> dict[str, Any]:
        from pyspark.sql import functions as F

        self.output_path = output_path
        spark = self.spark
        if mode == "code":
            frame = spark.range(0, 8, 1, 2)
            arrow = frame.mapInArrow(marker.arrow_tag, "id long, tag string")
            pandas = frame.mapInPandas(marker.pandas_tag, "id long, tag string")
            udf = frame.select(F.udf(marker.udf_tag, "string")("id").alias("tag"))
            with self.phase("transform"):
                tags = {{
                    name: sorted({{row.tag for row in df.collect()}})
                    for name, df in (("arrow", arrow), ("pandas", pandas), ("udf", udf))
                }}
            return {{"driver": marker.VERSION, **tags}}
        if mode == "set_state":
            spark.range(3).createOrReplaceTempView("probe_view")
            spark.conf.set("dwh.probe.setting", "set-by-first-run")
            spark.sql("CACHE TABLE probe_cached AS SELECT 1 AS x")
            return {{"views": sorted(t.name for t in spark.catalog.listTables())}}
        if mode == "read_state":
            return {{
                "views": sorted(t.name for t in spark.catalog.listTables()),
                "setting": spark.conf.get("dwh.probe.setting", None),
            }}
        if mode == "classic":
            return {{"count": spark.sparkContext.parallelize([1, 2, 3]).count()}}
        if mode == "hold":  # one task: the other core stays free for other runs
            with self.phase("transform"):
                rows = spark.range(0, 4, 1, 1).mapInPandas(marker.hold, "id long").collect()
            return {{"ids": sorted(row.id for row in rows)}}
        if mode == "slow":
            with self.phase("transform"):
                spark.range(0, 2, 1, 2).mapInPandas(marker.slow, "id long").collect()
            return {{}}
        raise ValueError(f"unknown mode {{mode}}")

    def on_success(self, results: Any) -> None:
        pass

    def on_failure(self, error_message: str) -> None:
        path = pathlib.Path(self.output_path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "on_failure.txt").write_text(error_message)
'''

FACTORY = '''"""The warm-loop probe job."""

from typing import Any

from warmjobs.probe.probe_config import ProbeConfig
from warmjobs.probe.probe_job import ProbeJob

from dwh.jobs.abstract_job_factory import AbstractJobFactory


class ProbeJobFactory(AbstractJobFactory[ProbeConfig]):
    job_name = "probe"
    config_model = ProbeConfig

    def create_job(self, **kwargs: Any) -> ProbeJob:
        self.parse_job_config(**kwargs)
        return ProbeJob(self.get_spark_session(), **self.job_services())


def main(**kwargs: Any) -> Any:
    return ProbeJobFactory(**kwargs).run(**kwargs)
'''


def write_probe_package(root: Path, version: str = "v1") -> Path:
    """Write ``warmjobs.probe`` under ``root``; return the folder to put on PYTHONPATH."""
    package = root / "warmjobs" / "probe"
    package.mkdir(parents=True, exist_ok=True)
    (root / "warmjobs" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "probe_config.py").write_text(CONFIG)
    (package / "probe_job.py").write_text(JOB.replace("{{", "{").replace("}}", "}"))
    (package / "probe_job_factory.py").write_text(FACTORY)
    set_marker_version(root, version)
    return root


def set_marker_version(root: Path, version: str) -> None:
    """Rewrite the module the executors run, with a new ``VERSION``."""
    path = root / "warmjobs" / "probe" / "marker.py"
    path.write_text(MARKER.format(version=version))


def probe_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Write the probe job package; return it and the environment to run it in."""
    root = write_probe_package(tmp_path_factory.mktemp("pkgs"))
    return root, job_env(root, tmp_path_factory.mktemp("home"))


def job_env(root: Path, home: Path) -> dict[str, str]:
    """The environment a warm run of the probe needs."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(WORKTREE), str(root)]),
        "DWH_JOB_PACKAGES": "dwh.jobs,warmjobs",
        "DWH_HOME": str(home),
    }


def dwh_run(
    job: str,
    config: dict[str, Any],
    *,
    env: dict[str, str],
    events: Path,
    warm: bool = True,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``dwh run JOB`` as a user would, warm unless told otherwise."""
    argv = [DWH, "run", job, "--config", json.dumps(config), "--events", str(events)]
    if warm:
        argv.append("--warm")
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


def start_dwh_run(
    job: str, config: dict[str, Any], *, env: dict[str, str], events: Path
) -> subprocess.Popen[str]:
    """Start ``dwh run JOB --warm`` without waiting for it."""
    argv = [DWH, "run", job, "--config", json.dumps(config), "--events", str(events), "--warm"]
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def read_events(path: Path) -> list[dict[str, Any]]:
    """Every event of a JSON-lines stream."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def metrics_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics of the run's ``job_succeeded`` event."""
    succeeded = [e for e in events if e["event"] == "job_succeeded"]
    assert succeeded, f"no job_succeeded in {[e['event'] for e in events]}"
    return dict(succeeded[-1]["metrics"])


def check_progress(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Assert the spark_progress events are consistent; return them."""
    progress = [e for e in events if e["event"] == "spark_progress"]
    assert progress, "no spark_progress event"
    last: dict[int, dict[str, Any]] = {}
    for event in progress:
        assert 0 <= event["tasks_done"] <= event["tasks_total"], event
        assert event["tasks_done"] + event["tasks_running"] <= event["tasks_total"], event
        assert event["tasks_failed"] >= 0, event
        last[event["stage_id"]] = event
    unfinished = [e for e in last.values() if e["tasks_done"] != e["tasks_total"]]
    assert not unfinished, unfinished
    return progress


def settle_spare(timeout: float = 90) -> None:
    """Wait until no spare session is being prepared and one is ready (or the time is up).

    A spare being prepared holds a connection to the server, so the server is not idle.
    """
    from dwh.processes import pid_alive
    from dwh.spark.prewarm import prewarm_dir

    preparing = prewarm_dir() / "preparing.pid"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = preparing.exists() and pid_alive(int(preparing.read_text() or 0))
        if not busy and any(prewarm_dir().glob("*.json")):
            return
        time.sleep(0.2)


class HeldRun:
    """A warm ``probe`` run in ``hold`` mode: inside its Python step until :meth:`finish`."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.folder = folder
        self.process = start_dwh_run(
            "probe", {"mode": "hold", "output_path": str(folder / "held")},
            env=env, events=folder / "held.jsonl",
        )  # fmt: skip
        self.workers: list[int] = []

    def wait_started(self, timeout: float = 240) -> None:
        """Wait until its Python step runs; note the pids of the workers running it."""
        deadline = time.monotonic() + timeout
        while not list(self.folder.glob("started-*")) and time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()
            time.sleep(0.2)
        self.workers = [int(path.name.split("-")[1]) for path in self.folder.glob("started-*")]
        assert self.workers, "the held run's Python step never started"

    def finish(self) -> str:
        """Let it go; check it succeeded with exact output; return its stderr."""
        (self.folder / "go").write_text("")
        _, stderr = self.process.communicate(timeout=300)
        assert self.process.returncode == 0, stderr
        assert metrics_of(read_events(self.folder / "held.jsonl"))["ids"] == [0, 1, 2, 3]
        return stderr


@contextlib.contextmanager
def held_run(root: Path, env: dict[str, str], folder: Path) -> Iterator[HeldRun]:
    """Start a held run of the probe package at ``root``, signalling through ``folder``.

    The block gets it once its Python step runs; it is let go, and killed if still
    running, whatever happens in the block.
    """
    set_marker_version(root, str(folder))  # the folder the held step signals through
    run = HeldRun(env, folder)
    try:
        run.wait_started()
        yield run
    finally:
        (folder / "go").write_text("")
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


class ServerLog:
    """What the current server writes to its log from now on.

    The file stays open, so a server restart that rotates the log (``.out`` to
    ``.out.1``) leaves this reading the old server's own lines.
    """

    def __init__(self) -> None:
        from dwh.spark._discovery import discovery_path

        logs = sorted((discovery_path().parent / "logs").glob("*.out"))
        assert logs, "no server log"
        self.handle = logs[-1].open("rb")
        self.start = self.handle.seek(0, os.SEEK_END)

    def text(self) -> str:
        """Everything the server wrote since this was made."""
        self.handle.seek(self.start)
        return self.handle.read().decode("utf-8", "replace")

    def errors(self) -> list[str]:
        """The ERROR lines among them."""
        return [line for line in self.text().splitlines() if " ERROR " in line]

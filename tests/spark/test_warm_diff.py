"""Warm run, edit, warm run: ``dwh run --warm`` prints what the edit did to the output.

A job package written to a temp folder computes its output with Spark on the private
warm server and writes it with ``ParquetLoader``; the edit between the runs (its
``VERSION``) drops some rows and widens others. The expected counts are computed here
with plain Python.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from warm_support import DWH, job_env

from dwh.spark.server import ServerStatus

pytestmark = pytest.mark.spark

VERSION = 'VERSION = "{version}"\n'

FACTORY = '''"""Images computed on Spark: an edit of VERSION changes rows and widths."""

from typing import Any, ClassVar, Mapping

from diffwarm.images import version

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class ImagesConfig(JobConfig):
    output_path: str


class ImagesJob(AbstractJob):
    def __init__(self, spark: Any, loader: Any, **services: Any) -> None:
        super().__init__(**services)
        self.spark, self.loader = spark, loader

    def execute_job(self, output_path: str) -> dict[str, Any]:
        from pyspark.sql import functions as F

        frame = self.spark.range(0, 200).withColumn("width", F.col("id") % 7 + 640)
        if version.VERSION == "v2":
            frame = frame.where(F.col("id") % 13 != 0).withColumn(
                "width", F.when(F.col("id") % 10 == 0, F.col("width") + 1).otherwise(F.col("width"))
            )
        self.loader.load(frame, output_path)
        self.record_output("output_path", output_path)
        return {"version": version.VERSION}

    def on_success(self, results: Any) -> None:
        pass

    def on_failure(self, error_message: str) -> None:
        pass


class ImagesJobFactory(AbstractJobFactory[ImagesConfig]):
    job_name = "images"
    config_model = ImagesConfig
    diff_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {"output_path": ("id",)}

    def create_job(self, **kwargs: Any) -> ImagesJob:
        self.parse_job_config(**kwargs)
        from dwh.services.loaders import ParquetLoader

        return ImagesJob(self.get_spark_session(), ParquetLoader(), **self.job_services())


def main(**kwargs: Any) -> Any:
    return ImagesJobFactory(**kwargs).run(**kwargs)
'''


def _package(root: Path) -> None:
    folder = root / "diffwarm" / "images"
    folder.mkdir(parents=True)
    (root / "diffwarm" / "__init__.py").write_text("")
    (folder / "__init__.py").write_text("")
    (folder / "images_job_factory.py").write_text(FACTORY)
    (folder / "version.py").write_text(VERSION.format(version="v1"))


def _expected_line() -> str:
    before = {i: 640 + i % 7 for i in range(200)}
    after = {i: w + (1 if i % 10 == 0 else 0) for i, w in before.items() if i % 13 != 0}
    widened = sum(1 for i in after if after[i] != before[i])
    delta = len(after) - len(before)
    return f"diff: output_path: 200 → {len(after)} rows ({delta:+}), {widened} changed in 'width'"


def test_warm_run_then_edit_then_warm_run_prints_what_changed(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    root = tmp_path / "pkgs"
    _package(root)
    env = {**job_env(root, tmp_path / "home"), "DWH_JOB_PACKAGES": "diffwarm"}
    config = json.dumps({"output_path": str(tmp_path / "out" / "images")})

    def run() -> subprocess.CompletedProcess[str]:
        argv = [DWH, "run", "images", "--config", config, "--warm"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)

    first = run()
    assert first.returncode == 0, first.stderr
    assert "diff:" not in first.stderr, "the first run replaced nothing"
    (root / "diffwarm" / "images" / "version.py").write_text(VERSION.format(version="v2"))
    second = run()
    assert second.returncode == 0, second.stderr
    lines = [line for line in second.stderr.splitlines() if line.startswith("diff:")]
    assert lines == [_expected_line()]
    shown = subprocess.run(
        [DWH, "diff", str(tmp_path / "out" / "images"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert found["key"] == ["id"] and found["key_source"] == "job"
    assert found["old"]["run_id"] != found["new"]["run_id"] and found["new"]["run_id"]

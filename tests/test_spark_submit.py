"""The entry as production runs it: the real spark-submit from the pip-installed pyspark."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

REPO = Path(__file__).resolve().parents[1]
FILTER = "dwh.jobs.filter_images.filter_images_job_factory"
SCHEMA = (
    "image_id string, url string, content_hash string, width int, height int, "
    "captured_at timestamp, camera string"
)


def spark_submit() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-submit")


def submit_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "DWH_HOME": str(tmp_path / "dwh-home"),
    }


@pytest.fixture
def transform_output(spark: SparkSession, tmp_path: Path) -> Path:
    rows = [
        ("img-1", "https://a/1.jpg", "h1", 10, 10, dt.datetime(2026, 11, 24, 8), "Pixel 8"),
        ("img-2", "https://a/2.jpg", "h1", 10, 10, dt.datetime(2026, 11, 24, 7), None),
        ("img-3", "https://a/3.jpg", "h2", 10, 10, dt.datetime(2026, 11, 24, 9), None),
    ]
    path = tmp_path / "transformed"
    spark.createDataFrame(rows, SCHEMA).write.parquet(str(path))
    return path


@pytest.mark.spark
def test_filter_images_through_spark_submit(
    spark: SparkSession, transform_output: Path, tmp_path: Path
) -> None:
    config = {
        "base_path": str(tmp_path / "filtered"),
        "timezone": "America/Los_Angeles",
        "transform_output_path": str(transform_output),
        "run_date": "2026-11-24",
    }
    events = tmp_path / "events.jsonl"
    result = subprocess.run(
        [
            spark_submit(),
            "--master",
            "local[1]",
            "--conf",
            "spark.ui.enabled=false",
            str(REPO / "scripts" / "glue" / "generic_entry.py"),
            "--module_name",
            FILTER,
            "--filter_images_job",
            json.dumps(config),
            "--has_spark",
            "true",
            "--events",
            str(events),
            "--run_id",
            "submit-1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=submit_env(tmp_path),
    )

    assert result.returncode == 0, result.stderr[-3000:]
    # spark-submit's PythonRunner forwards the Python process's stderr to its own stdout.
    output = (result.stdout + result.stderr).splitlines()
    summary = [line for line in output if line.startswith("dwh: ")]
    assert summary[-1].startswith("dwh: job 'filter_images' succeeded")
    last = json.loads(events.read_text().splitlines()[-1])
    assert last["event"] == "job_succeeded"
    assert last["run_id"] == "submit-1"
    assert last["metrics"]["input_rows"] == 3
    assert last["metrics"]["output_rows"] == 2
    written = spark.read.parquet(str(tmp_path / "filtered" / "year=2026" / "month=11" / "day=24"))
    assert sorted(r.image_id for r in written.collect()) == ["img-2", "img-3"]


@pytest.mark.spark
def test_a_failing_spark_job_exits_1_with_one_line(tmp_path: Path) -> None:
    config = {
        "base_path": str(tmp_path / "filtered"),
        "timezone": "UTC",
        "transform_output_path": str(tmp_path / "does-not-exist"),
        "run_date": "2026-11-24",
    }
    events = tmp_path / "events.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "container" / "generic_entry.py"),
            "--module_name",
            FILTER,
            "--filter_images_job",
            json.dumps(config),
            "--has_spark",
            "true",
            "--events",
            str(events),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=submit_env(tmp_path),
    )

    assert result.returncode == 1
    # The default alert sink adds its own "dwh: alert:" line; the entry's verdict is one line.
    dwh_lines = [line for line in result.stderr.splitlines() if line.startswith("dwh: job")]
    assert len(dwh_lines) == 1
    assert dwh_lines[0].startswith("dwh: job 'filter_images' failed: AnalysisException: ")
    assert "Traceback" not in result.stderr
    names = [json.loads(line)["event"] for line in events.read_text().splitlines()]
    assert names[0] == "job_started"
    assert names[-1] == "job_failed"
    assert not (tmp_path / "filtered").exists()

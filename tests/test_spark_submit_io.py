"""A CSV job and a catalog-table job, each through the generic entry under spark-submit."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lifecycle_support import REPO, job_env
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

SCHEMA = "id int, name string, score double, day date"
D1, D2 = dt.date(2026, 11, 24), dt.date(2026, 11, 25)
ROWS = [(1, "ada", 9.5, D1), (2, "bo; jr", 7.0, D1), (3, "cy", 3.0, D2), (4, "di", 9.0, D2)]


def spark_submit() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-submit")


def submit(job: str, config: dict[str, object], tmp_path: Path) -> list[dict[str, object]]:
    """Run a ``dwh_test_jobs`` job under spark-submit (default local master); its events."""
    events = tmp_path / f"{job}-events.jsonl"
    env = job_env(tmp_path, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    result = subprocess.run(
        [
            spark_submit(),
            "--master",
            "local[1]",
            str(REPO / "scripts" / "glue" / "generic_entry.py"),
            "--module_name",
            f"dwh_test_jobs.{job}.{job}_job_factory",
            f"--{job}_job",
            json.dumps(config),
            "--has_spark",
            "true",
            "--events",
            str(events),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert f"dwh: job '{job}' succeeded" in result.stdout + result.stderr
    return [json.loads(line) for line in events.read_text().splitlines()]


@pytest.mark.spark
def test_a_csv_report_job_through_spark_submit(spark: SparkSession, tmp_path: Path) -> None:
    scores = spark.createDataFrame(ROWS, SCHEMA)
    scores.write.parquet(str(tmp_path / "scores"))
    report = tmp_path / "out" / "report.csv"
    config = {
        "input_path": str(tmp_path / "scores"),
        "min_score": 5.0,
        "report_path": str(report),
        "delimiter": ";",
    }

    events = submit("score_report", config, tmp_path)

    assert report.is_file()
    back = (
        spark.read.option("header", True)
        .option("sep", ";")
        .schema(SCHEMA + ", grade string")
        .csv(str(report))
    )
    expected = spark.createDataFrame(
        [(1, "ada", 9.5, D1, "A"), (2, "bo; jr", 7.0, D1, "B"), (4, "di", 9.0, D2, "A")],
        SCHEMA + ", grade string",
    )
    assertDataFrameEqual(back, expected)
    phases = {e["phase"]: e["rows"] for e in events if e["event"] == "phase_finished"}
    assert phases == {"extract": 4, "transform": 3, "load": 3}
    assert events[-1]["outputs"] == {"report": str(report)}


@pytest.mark.spark
def test_a_catalog_table_job_through_spark_submit(spark: SparkSession, tmp_path: Path) -> None:
    csv = tmp_path / "scores.csv"
    csv.write_text("id,name,score,day\n1,ada,9.5,2026-11-24\n3,cy,3.0,2026-11-25\n")

    events = submit("score_table", {"input_path": str(csv), "table": "default.scores"}, tmp_path)

    # The run's own catalog: Derby metastore and warehouse under its DWH_HOME.
    catalog = tmp_path / "dwh-home" / "catalog"
    assert (catalog / "metastore_db").is_dir()
    table_files = catalog / "warehouse" / "scores"
    assert sorted(p.name for p in table_files.glob("day=*")) == ["day=2026-11-24", "day=2026-11-25"]
    back = spark.read.parquet(str(table_files)).select("id", "name", "score", "day")
    expected = spark.createDataFrame([(1, "ada", 9.5, D1), (3, "cy", 3.0, D2)], SCHEMA)
    assertDataFrameEqual(back, expected)
    assert events[-1]["metrics"] == {"rows": 2}
    assert events[-1]["outputs"] == {"table": "default.scores"}
    assert not (tmp_path / "spark-warehouse").exists()
    assert not (tmp_path / "metastore_db").exists()

"""`airflow dags test` of the image pipeline's spark-submit DAG, against `dwh run --follow`.

Airflow (its own venv, no dwh on its path) runs the generated DAG for one logical date:
SparkSubmitOperator calls the pip pyspark's ``spark-submit`` (local master, through a
Spark connection given as ``AIRFLOW_CONN_*``) on the generic entry, with the
``--py-files`` zip ``dwh package`` builds as the only dwh code. ``dwh run
transform_images --follow`` runs the same production configs for that date locally.
Both outputs must be equal row for row, and the run store must show Airflow's chain.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_helpers import DAY, REPO, Project, airflow_env
from pyspark.testing import assertDataFrameEqual

from dwh.backfill.template import date_renderer, fill_placeholders
from dwh.devtools.packaging import artifact_names, build_zip
from dwh.runs.store import RunStore
from examples.generate_images import generate_batches, write_batches

pytestmark = pytest.mark.spark


def pyspark_bin() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin"


def prod_configs(data: Path, side: str) -> dict[str, dict]:
    return {
        "transform_images": {
            "raw_path": str(data / "raw" / "{run_date}"),
            "output_path": str(data / side / "transformed"),
        },
        "filter_images": {
            "base_path": str(data / side / "filtered"),
            "timezone": "UTC",
            "transform_output_path": str(data / side / "unused"),
            "lookback_days": 30,
        },
    }


TRIGGERS = {
    "transform_images": [
        {"job": "filter_images", "map": {"transform_output_path": "outputs.output_path"}}
    ]
}


def test_airflow_dags_test_equals_dwh_run_follow(
    tmp_path: Path, airflow_python: Path, spark, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    write_batches(generate_batches(7, 300, [dt.date.fromisoformat(DAY)]), data / "raw")
    artifacts = tmp_path / "artifacts"
    build_zip(["dwh"], artifacts, name=artifact_names().zip)
    shutil.copy(REPO / "scripts" / "container" / "generic_entry.py", artifacts)

    project = Project(tmp_path / "project")
    for job, config in prod_configs(data, "airflow").items():
        project.write_prod(job, config)
    project.write_triggers(TRIGGERS)
    project.write_settings(
        {
            "airflow": {"dag_folder": str(project.dags), "start_date": "2026-11-01"},
            "artifacts": {"root": str(artifacts)},
            "spark-submit": {
                "conn_id": "spark_local",
                "conf": {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"},
            },
        }
    )
    monkeypatch.setenv("DWH_JOB_PACKAGES", "dwh.jobs")
    assert project.deploy("spark-submit", "transform_images").exit_code == 0

    home = tmp_path / "airflow"
    dwh_home = tmp_path / "dwh-airflow"
    env = airflow_env(
        home,
        AIRFLOW__CORE__DAGS_FOLDER=str(project.dags),
        AIRFLOW_CONN_SPARK_LOCAL=json.dumps({"conn_type": "spark", "host": "local[2]"}),
        PATH=os.pathsep.join([str(pyspark_bin()), os.environ["PATH"]]),
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        DWH_HOME=str(dwh_home),
    )
    airflow = str(airflow_python.parent / "airflow")
    migrated = subprocess.run(
        [airflow, "db", "migrate"], env=env, cwd=home, capture_output=True, text=True, check=False
    )
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    ran = subprocess.run(
        [airflow, "dags", "test", "dwh_transform_images", DAY],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = ran.stdout + ran.stderr
    assert ran.returncode == 0, log[-4000:]
    assert "state=success" in log, log[-4000:]

    local = prod_configs(data, "local")
    day = dt.date.fromisoformat(DAY)
    first = fill_placeholders(local["transform_images"], date_renderer(day), date_field="run_date")
    # The same chain locally: filter_images' fixed values are its prod config, for that date.
    fixed = {k: v for k, v in local["filter_images"].items() if k != "transform_output_path"}
    local_map = {
        "transform_images": [
            {**TRIGGERS["transform_images"][0], "config": {**fixed, "run_date": DAY}}
        ]
    }
    local_triggers = tmp_path / "local-triggers.json"
    local_triggers.write_text(json.dumps(local_map))
    local_run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from dwh.cli import main; sys.exit(main())",
            "run",
            "transform_images",
            "--config",
            json.dumps(first),
            "--follow",
            "--triggers",
            str(local_triggers),
        ],
        env={
            **os.environ,
            "DWH_HOME": str(tmp_path / "dwh-local"),
            "PYSPARK_PYTHON": sys.executable,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert local_run.returncode == 0, local_run.stderr[-3000:]

    for output in ("transformed", "transformed_rejects", "filtered"):
        ours = spark.read.parquet(str(data / "airflow" / output))
        theirs = spark.read.parquet(str(data / "local" / output))
        assert ours.count() > 0, output
        assertDataFrameEqual(ours, theirs)

    with RunStore(dwh_home / "runs.db") as store:
        runs = {run.job: run for run in store.runs()}
    upstream = "airflow-dwh_transform_images.transform_images-20261124T000000"
    assert runs["transform_images"].run_id == upstream
    assert runs["filter_images"].triggered_by_run_id == upstream
    assert runs["filter_images"].triggered_by_job == "transform_images"
    assert runs["filter_images"].status == runs["transform_images"].status == "succeeded"

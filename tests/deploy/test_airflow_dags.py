"""The generated DAGs in real Airflow (3.3, its own venv): DagBag, task graph, rendering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deploy_helpers import DAY, PLATFORMS, Project, probe

from dwh.config import parse_config
from dwh.entry import check_stray_config_flags, parse_invocation
from dwh.registry import discover_jobs, find_job, load_factory
from dwh.triggers import TriggerMap

OPERATORS = {
    "spark-submit": "SparkSubmitOperator",
    "glue": "GlueJobOperator",
    "emr-serverless": "EmrServerlessStartJobOperator",
    "databricks": "DatabricksSubmitRunOperator",
}


def test_dagbag_imports_every_dag_and_each_graph_is_the_trigger_map(
    project: Project, airflow_python: Path, tmp_path: Path
) -> None:
    folders = {platform: tmp_path / "dags" / platform for platform in PLATFORMS}
    for platform, folder in folders.items():
        assert project.deploy(platform, out=folder).exit_code == 0

    bags = probe(airflow_python, tmp_path / "airflow", "dagbag", *map(str, folders.values()))

    triggers = TriggerMap.load(project.triggers)
    expected_edges = {(up, t.job) for up in triggers.triggers for t in triggers.downstream(up)}
    for platform, folder in folders.items():
        bag = bags[str(folder)]
        assert bag["import_errors"] == {}, platform
        assert sorted(bag["dags"]) == ["dwh_noop", "dwh_transform_images"]
        tasks = [task for dag in bag["dags"].values() for task in dag["tasks"]]
        assert sorted(tasks) == sorted(job.name for job in discover_jobs())  # each job once
        edges = {
            (up, task_id)
            for dag in bag["dags"].values()
            for task_id, task in dag["tasks"].items()
            for up in task["upstream"]
        }
        assert edges == expected_edges, platform
        operators = {t["operator"] for d in bag["dags"].values() for t in d["tasks"].values()}
        assert operators == {OPERATORS[platform]}


VARIABLES = {
    "dwh_secret_relay_api_token": "tok-rendered-1",
    "dwh_secret_relay_connection_password": "pw-rendered-2",
}


def rendered_argv(platform: str, fields: dict) -> list[str]:
    """The argv the platform hands the generic entry, from the rendered template fields."""
    if platform == "spark-submit":
        return fields["application_args"]
    if platform == "glue":
        pairs = {**fields["script_args"], **fields["create_job_kwargs"]["DefaultArguments"]}
        glue_adds = ["--JOB_NAME", "dwh-job", "--JOB_RUN_ID", "jr_0123", "--TempDir", "s3://t/"]
        return [*[part for pair in pairs.items() for part in pair], *glue_adds]
    if platform == "emr-serverless":
        return fields["job_driver"]["sparkSubmit"]["entryPointArguments"]
    return fields["spark_python_task"]["parameters"]


EXPECTED = {
    "dwh_transform_images": {
        "transform_images": {
            "raw_path": f"s3://my-bucket/images/raw/{DAY}",
            "output_path": "s3://my-bucket/images/transformed",
            "rejects_path": "s3://my-bucket/images/transformed_rejects",
        },
        "filter_images": {
            "base_path": "s3://my-bucket/images/filtered",
            "timezone": "America/Los_Angeles",
            "transform_output_path": "s3://my-bucket/images/transformed",
            "lookback_days": 30,
            "run_date": DAY,
            "triggered_by_job": "transform_images",
            "triggered_by_run_id": "airflow-dwh_transform_images.transform_images-20261124T000000",
        },
    },
    "dwh_dated": {
        "dated": {"out_dir": "/data/2026/11", "label": "a {{ b", "run_date": DAY},
        "relay": {
            "message": "/data/2026/11",
            "api_token": VARIABLES["dwh_secret_relay_api_token"],
            "connection": {"password": VARIABLES["dwh_secret_relay_connection_password"]},
            "triggered_by_job": "dated",
            "triggered_by_run_id": "airflow-dwh_dated.dated-20261124T000000",
        },
    },
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rendered_arguments_parse_back_into_the_entry_argv(
    project: Project, test_jobs, airflow_python: Path, tmp_path: Path, platform: str
) -> None:
    project.write_prod("dated", {"out_dir": "/data/{run_date:%Y/%m}", "label": "a {{{{ b"})
    project.write_prod(
        "relay", {"message": "x", "api_token": "never", "connection": {"password": "never"}}
    )
    triggers = json.loads(project.triggers.read_text())
    triggers["dated"] = [{"job": "relay", "map": {"message": "config.out_dir"}}]
    project.write_triggers(triggers)
    assert project.deploy(platform, "transform_images", "dated").exit_code == 0

    for dag_id, tasks in EXPECTED.items():
        rendered = probe(
            airflow_python,
            tmp_path / "airflow",
            "render",
            str(project.dags),
            dag_id,
            DAY,
            json.dumps(VARIABLES),
        )
        assert sorted(rendered) == sorted(tasks)
        for task_id, config in tasks.items():
            assert rendered[task_id]["operator"] == OPERATORS[platform]
            invocation = parse_invocation(rendered_argv(platform, rendered[task_id]["fields"]))
            check_stray_config_flags(invocation)
            job = find_job(task_id)
            assert invocation.module_name == job.module
            assert invocation.job_name == task_id
            sent = json.loads(invocation.kwargs[f"{task_id}_job"])
            assert sent == config, (platform, task_id)
            parse_config(load_factory(job).config_model, sent, job=task_id)  # it validates
            spark = "true" if load_factory(job).needs_spark else "false"
            assert invocation.kwargs["has_spark"] == spark
            assert invocation.kwargs["run_id"] == f"airflow-{dag_id}.{task_id}-20261124T000000"

"""``dwh deploy airflow`` without Airflow: what the files say, bad input, secrets, writes."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest
from deploy_helpers import PLATFORMS, Project

from dwh.deploy import read_manifest

TRANSFORM = "dwh.jobs.transform_images.transform_images_job_factory"


def application_args(path: Path, task_id: str) -> list[str]:
    """The ``application_args`` list literal of one task in a spark-submit DAG file."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if getattr(node.targets[0], "id", None) == task_id:
                kwargs = {k.arg: k.value for k in node.value.keywords}
                return ast.literal_eval(kwargs["application_args"])
    raise AssertionError(f"no task {task_id} in {path}")


def option(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_one_dag_per_chain_with_the_entry_argv(project: Project) -> None:
    result = project.deploy("spark-submit")

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in project.dags.iterdir()) == [
        "dwh_noop.py",
        "dwh_transform_images.py",
    ]
    path = project.dags / "dwh_transform_images.py"
    transform = application_args(path, "transform_images")
    assert option(transform, "--module_name") == TRANSFORM
    assert option(transform, "--has_spark") == "true"
    assert json.loads(option(transform, "--transform_images_job")) == {
        "raw_path": "s3://my-bucket/images/raw/{{ ds }}",
        "output_path": "s3://my-bucket/images/transformed",
        "rejects_path": "s3://my-bucket/images/transformed_rejects",
    }
    run_id = option(transform, "--run_id")
    assert run_id == "airflow-dwh_transform_images.transform_images-{{ ts_nodash }}"
    filtered = json.loads(option(application_args(path, "filter_images"), "--filter_images_job"))
    # prod.json, the trigger's map (outputs.output_path), the date, then the lineage
    assert filtered == {
        "base_path": "s3://my-bucket/images/filtered",
        "timezone": "America/Los_Angeles",
        "transform_output_path": "s3://my-bucket/images/transformed",
        "lookback_days": 30,
        "run_date": "{{ ds }}",
        "triggered_by_job": "transform_images",
        "triggered_by_run_id": run_id,
    }


def test_the_header_names_the_command_and_the_inputs(project: Project) -> None:
    assert project.deploy("glue").exit_code == 0
    path = project.dags / "dwh_transform_images.py"
    doc = ast.get_docstring(ast.parse(path.read_text()))

    assert "dwh deploy airflow --platform glue" in doc
    assert f"--triggers {project.triggers}" in doc and f"--out {project.dags}" in doc
    assert str(project.configs / "filter_images" / "prod.json") in doc
    assert "dwh-0.1.0-py-files.zip" in doc
    manifest = read_manifest(path)
    assert manifest["inputs"]["platform"] == "glue"
    assert manifest["edges"] == [["transform_images", "filter_images"]]


def test_the_file_imports_airflow_only(project: Project) -> None:
    assert project.deploy("databricks").exit_code == 0
    for path in project.dags.glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert modules == {"__future__", "datetime", "airflow"}, path


def test_dates_and_literal_braces_follow_the_backfill_rules(project: Project, test_jobs) -> None:
    project.write_prod("dated", {"out_dir": "/data/{run_date:%Y/%m}", "label": "a {{{{ b"})
    project.write_prod("relay", {"message": "hi"})
    project.write_triggers({"dated": [{"job": "relay", "map": {"message": "config.out_dir"}}]})

    assert project.deploy("spark-submit", "dated").exit_code == 0
    path = project.dags / "dwh_dated.py"
    dated = json.loads(option(application_args(path, "dated"), "--dated_job"))
    relay = json.loads(option(application_args(path, "relay"), "--relay_job"))

    assert dated == {
        "out_dir": "/data/{{ logical_date.strftime('%Y/%m') }}",
        "label": "a {{ '{' }}{ b",  # Jinja renders it back to "a {{ b"
        "run_date": "{{ ds }}",
    }
    assert relay["message"] == dated["out_dir"]  # config.<name> of the upstream task
    # relay's dates are not declared independent: one DAG run at a time, as dwh backfill
    assert "max_active_runs=1," in path.read_text()
    project.write_triggers({})
    assert project.deploy("spark-submit", "dated").exit_code == 0
    assert "max_active_runs" not in path.read_text()  # dated alone: dates run in parallel


PLANTED = ("PLANTED-token-9f3c2a", "PLANTED-pw-41d7e0")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_planted_secret_is_never_written(project: Project, test_jobs, platform: str) -> None:
    project.write_prod("dated", {"out_dir": "/data/{run_date}"})
    project.write_prod(
        "relay",
        {"message": "hi", "api_token": PLANTED[0], "connection": {"password": PLANTED[1]}},
    )
    project.write_triggers({"dated": [{"job": "relay"}]})

    assert project.deploy(platform, "dated").exit_code == 0
    files = list(project.dags.rglob("*"))
    assert files
    for path in files:
        text = path.read_text()
        for secret in PLANTED:
            assert secret not in text, f"{secret} written into {path}"
    text = (project.dags / "dwh_dated.py").read_text()
    assert "var.value.dwh_secret_relay_api_token" in text
    assert "var.value.dwh_secret_relay_connection_password" in text


def test_a_secret_outside_a_secret_key_is_refused(project: Project, test_jobs) -> None:
    project.write_prod("dated", {"out_dir": "/data/{run_date}"})
    project.write_prod("relay", {"message": "jdbc://user:PLANTED-pw-77@db/x"})
    project.write_triggers({"dated": [{"job": "relay"}]})

    result = project.deploy("spark-submit", "dated")

    assert result.exit_code == 2
    assert "repeats a secret outside its secret key" in result.stderr
    assert "PLANTED" not in result.output
    assert not project.dags.exists()


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("platform", "unknown platform 'airflow-k8s' for --platform; accepted: spark-submit"),
        ("job", "unknown job 'filter_imagez'; did you mean 'filter_images'?"),
        ("prod", "job 'filter_images' has no production config: create"),
        ("cycle", "has a cycle: transform_images → filter_images → transform_images"),
        ("setting", "missing 'glue.iam_role_name' (the IAM role the Glue jobs run as)"),
        ("metrics", "'metrics.output_rows' (from 'transform_images') is known only when"),
        ("twice", "job 'filter_images' is triggered by both 'noop' and 'transform_images'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    project: Project, change: str, message: str
) -> None:
    platform, jobs = "glue", ()
    triggers = json.loads(project.triggers.read_text())
    if change == "platform":
        platform = "airflow-k8s"
    elif change == "job":
        jobs = ("filter_imagez",)
    elif change == "prod":  # named: a job left out of an all-jobs deploy must have one
        (project.configs / "filter_images" / "prod.json").unlink()
        jobs = ("filter_images",)
    elif change == "cycle":
        triggers["filter_images"] = [{"job": "transform_images"}]
    elif change == "setting":
        settings = json.loads(project.settings.read_text())
        del settings["glue"]["iam_role_name"]
        project.write_settings(settings)
    elif change == "metrics":
        del triggers["transform_images"][0]["config"]["lookback_days"]
        triggers["transform_images"][0]["map"]["lookback_days"] = "metrics.output_rows"
    elif change == "twice":
        triggers["noop"] = [{"job": "filter_images"}]
    project.write_triggers(triggers)

    result = project.deploy(platform, *jobs)

    assert result.exit_code == 2
    assert message in one_line(result)
    assert not project.dags.exists()


def test_an_existing_dag_is_replaced_whole_and_kept_on_bad_input(project: Project) -> None:
    project.dags.mkdir()
    old = project.dags / "dwh_transform_images.py"
    old.write_text("# an older DAG\n")
    unrelated = project.dags / "hand_written.py"
    unrelated.write_text("# not dwh's\n")

    assert project.deploy("spark-submit").exit_code == 0
    assert "SparkSubmitOperator" in old.read_text()
    first = old.read_text()
    assert sorted(os.listdir(project.dags)) == [
        "dwh_noop.py",
        "dwh_transform_images.py",
        "hand_written.py",
    ]  # no temporary file left behind

    (project.configs / "noop" / "prod.json").write_text('{"mesage": "typo"}')
    failed = project.deploy("glue")
    assert failed.exit_code == 2 and "mesage" in failed.stderr
    assert old.read_text() == first  # the bad input wrote nothing
    assert unrelated.read_text() == "# not dwh's\n"


def test_a_chain_that_is_gone_is_removed(project: Project) -> None:
    project.write_triggers({})
    assert project.deploy("spark-submit").exit_code == 0
    assert (project.dags / "dwh_filter_images.py").is_file()

    project.write_triggers({"transform_images": [{"job": "filter_images"}]})
    result = project.deploy("spark-submit")

    assert result.exit_code == 0
    assert "removed" in result.output and "dwh_filter_images.py" in result.output
    assert sorted(p.name for p in project.dags.iterdir()) == [
        "dwh_noop.py",
        "dwh_transform_images.py",
    ]

"""``dwh check`` fails, naming the DAG file and what differs, once its inputs change."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from deploy_helpers import Project

from dwh.cli import cli


def check(project: Project):
    return CliRunner().invoke(
        cli, ["check", "--examples", str(project.examples)], catch_exceptions=False
    )


def test_check_passes_while_the_dags_match(project: Project) -> None:
    assert project.deploy("spark-submit").exit_code == 0

    result = check(project)

    assert result.exit_code == 0, result.stdout
    assert "keep the contract" in result.stdout


def test_a_changed_trigger_map_fails_check_naming_the_dag(project: Project) -> None:
    assert project.deploy("spark-submit").exit_code == 0
    project.write_triggers({})

    result = check(project)

    assert result.exit_code == 1
    dag = project.dags / "dwh_transform_images.py"
    assert (
        f"{dag}:1: [dag-drift] dwh_transform_images: differs: task filter_images removed; "
        "dependency transform_images >> filter_images removed" in result.stdout
    )
    assert "dwh_filter_images.py" in result.stdout and "is missing" in result.stdout
    assert "run `dwh deploy airflow --platform spark-submit" in result.stdout


def test_a_changed_prod_config_fails_check_naming_the_task(project: Project) -> None:
    assert project.deploy("glue").exit_code == 0
    config = project.configs / "noop" / "prod.json"
    config.write_text(json.dumps({"message": "changed"}))

    result = check(project)

    assert result.exit_code == 1
    assert "[dag-drift] dwh_noop: differs: config of noop changed" in result.stdout


def test_a_hand_edited_dag_fails_check(project: Project) -> None:
    assert project.deploy("emr-serverless").exit_code == 0
    dag = project.dags / "dwh_noop.py"
    dag.write_text(dag.read_text().replace("dwh-noop", "dwh-noop-edited"))

    result = check(project)

    assert result.exit_code == 1
    assert "[dag-drift] dwh_noop: differs: the operator arguments or header changed" in (
        result.stdout
    )


def test_a_dag_folder_of_other_files_is_left_alone(project: Project) -> None:
    project.dags.mkdir()
    shutil.copy(__file__, project.dags / "someone_elses_dag.py")

    result = check(project)

    assert result.exit_code == 0, result.stdout

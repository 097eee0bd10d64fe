"""Each platform's operator: the Python source of one task, from its plan and settings.

=================  ================================  =====================================
platform           operator                          the entry's argv goes to
=================  ================================  =====================================
``spark-submit``   ``SparkSubmitOperator``           ``application_args``
``glue``           ``GlueJobOperator``               ``script_args`` (Glue job arguments)
``emr-serverless`` ``EmrServerlessStartJobOperator`` ``job_driver.sparkSubmit``
                                                     ``.entryPointArguments``
``databricks``     ``DatabricksSubmitRunOperator``   ``spark_python_task.parameters``
=================  ================================  =====================================

Every field that carries the argv is one of the operator's ``template_fields``, so
Airflow renders its Jinja when the task runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dwh.deploy.dags import TaskPlan

IMPORTS: dict[str, str] = {
    "spark-submit": (
        "from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator"
    ),
    "glue": "from airflow.providers.amazon.aws.operators.glue import GlueJobOperator",
    "emr-serverless": (
        "from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator"
    ),
    "databricks": (
        "from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator"
    ),
}
"""The import line of each platform's operator."""


@dataclass(frozen=True)
class Artifacts:
    """Where a task finds dwh: the uploaded entry script, zip and wheel.

    Attributes:
        entry: The generic entry script.
        zip: The ``--py-files`` zip.
        wheel: The wheel.
    """

    entry: str
    zip: str
    wheel: str


def task_source(
    platform: str, task: TaskPlan, settings: Mapping[str, Any], artifacts: Artifacts
) -> str:
    """Return ``<task_id> = Operator(...)`` for one task, indented for a ``with DAG`` block."""
    operator, arguments = _BUILDERS[platform](task, settings, artifacts)
    lines = [f"    {task.task_id} = {operator}("]
    for name, value in arguments.items():
        lines.append(f"        {name}={literal(value, 8)},")
    lines.append("    )")
    return "\n".join(lines)


def glue_arguments(argv: list[str]) -> dict[str, str]:
    """The entry's argv as Glue job arguments: ``{"--flag": "value", ...}``."""
    return dict(zip(argv[::2], argv[1::2], strict=True))


def literal(value: Any, indent: int) -> str:
    """A Python literal for ``value``: one item a line for containers, repr otherwise."""
    pad = " " * (indent + 4)
    if isinstance(value, dict) and value:
        items = [
            f"{pad}{literal(k, indent + 4)}: {literal(v, indent + 4)}," for k, v in value.items()
        ]
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and value:
        items = [f"{pad}{literal(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + " " * indent + "]"
    return repr(value)


def _spark_submit(
    task: TaskPlan, settings: Mapping[str, Any], artifacts: Artifacts
) -> tuple[str, dict[str, Any]]:
    arguments: dict[str, Any] = {
        "task_id": task.task_id,
        "conn_id": settings["conn_id"],
        "application": artifacts.entry,
        "py_files": artifacts.zip,
        "name": f"dwh-{task.job}",
        "application_args": task.argv(),
    }
    if settings.get("conf"):
        arguments["conf"] = dict(settings["conf"])
    if settings.get("env_vars"):
        arguments["env_vars"] = dict(settings["env_vars"])
    return "SparkSubmitOperator", arguments


def _glue(
    task: TaskPlan, settings: Mapping[str, Any], artifacts: Artifacts
) -> tuple[str, dict[str, Any]]:
    default_arguments = {"--extra-py-files": artifacts.zip}
    if settings.get("additional_python_modules"):
        default_arguments["--additional-python-modules"] = settings["additional_python_modules"]
    return "GlueJobOperator", {
        "task_id": task.task_id,
        "job_name": f"{settings['job_name_prefix']}{task.job}",
        "script_location": artifacts.entry,
        "aws_conn_id": settings["aws_conn_id"],
        "region_name": settings["region_name"],
        "iam_role_name": settings["iam_role_name"],
        "create_job_kwargs": {
            "GlueVersion": settings["glue_version"],
            "WorkerType": settings["worker_type"],
            "NumberOfWorkers": settings["number_of_workers"],
            "DefaultArguments": default_arguments,
        },
        "update_config": True,
        "script_args": glue_arguments(task.argv()),
    }


def _emr_serverless(
    task: TaskPlan, settings: Mapping[str, Any], artifacts: Artifacts
) -> tuple[str, dict[str, Any]]:
    parameters = [f"--py-files {artifacts.zip}"]
    parameters += [f"--conf {key}={value}" for key, value in dict(settings["spark_conf"]).items()]
    arguments: dict[str, Any] = {
        "task_id": task.task_id,
        "name": f"dwh-{task.job}",
        "application_id": settings["application_id"],
        "execution_role_arn": settings["execution_role_arn"],
        "aws_conn_id": settings["aws_conn_id"],
        "job_driver": {
            "sparkSubmit": {
                "entryPoint": artifacts.entry,
                "entryPointArguments": task.argv(),
                "sparkSubmitParameters": " ".join(parameters),
            }
        },
    }
    if settings.get("configuration_overrides"):
        arguments["configuration_overrides"] = dict(settings["configuration_overrides"])
    return "EmrServerlessStartJobOperator", arguments


def _databricks(
    task: TaskPlan, settings: Mapping[str, Any], artifacts: Artifacts
) -> tuple[str, dict[str, Any]]:
    arguments: dict[str, Any] = {
        "task_id": task.task_id,
        "run_name": f"dwh-{task.job}",
        "databricks_conn_id": settings["databricks_conn_id"],
    }
    if settings.get("existing_cluster_id"):
        arguments["existing_cluster_id"] = settings["existing_cluster_id"]
    else:
        arguments["new_cluster"] = dict(settings["new_cluster"])
    arguments["libraries"] = [{"whl": artifacts.wheel}]
    arguments["spark_python_task"] = {"python_file": artifacts.entry, "parameters": task.argv()}
    return "DatabricksSubmitRunOperator", arguments


_Builder = Callable[[TaskPlan, Mapping[str, Any], Artifacts], tuple[str, dict[str, Any]]]
_BUILDERS: dict[str, _Builder] = {
    "spark-submit": _spark_submit,
    "glue": _glue,
    "emr-serverless": _emr_serverless,
    "databricks": _databricks,
}

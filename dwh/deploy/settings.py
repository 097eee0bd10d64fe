"""The ``deploy`` settings file: what a generated task needs that dwh cannot know.

One JSON file (``examples/deploy.json`` by default, ``--settings`` to name another)
holds the operator arguments of every platform: conn ids, IAM roles, cluster specs,
where the artifacts were uploaded. Only the chosen platform's section is read::

    {
      "airflow": {"dag_folder": "examples/dags", "schedule": "@daily",
                  "start_date": "2026-11-01"},
      "artifacts": {"root": "s3://my-bucket/dwh/"},
      "spark-submit": {"conn_id": "spark_default"},
      "glue": {"aws_conn_id": "aws_default", "region_name": "eu-west-1",
               "iam_role_name": "dwh-glue"},
      "emr-serverless": {"aws_conn_id": "aws_default", "application_id": "00abc",
                         "execution_role_arn": "arn:aws:iam::123456789012:role/dwh-emr"},
      "databricks": {"databricks_conn_id": "databricks_default",
                     "existing_cluster_id": "0123-456789-abcdefgh"}
    }

:data:`REQUIRED` lists the settings each platform must have, :data:`DEFAULTS` the
ones it may leave out. A missing one is a :class:`~dwh.errors.DeployError` (exit 2)
naming it and saying what it is for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dwh.config_file import read_json_file
from dwh.errors import DeployError

PLATFORMS: tuple[str, ...] = ("spark-submit", "glue", "emr-serverless", "databricks")
"""The platforms ``dwh deploy airflow --platform`` accepts."""

REQUIRED: dict[str, dict[str, str]] = {
    "artifacts": {
        "root": "where `dwh package`'s dist/ and generic_entry.py were uploaded",
    },
    "spark-submit": {"conn_id": "the Airflow Spark connection (master, deploy mode)"},
    "glue": {
        "aws_conn_id": "the Airflow AWS connection",
        "region_name": "the AWS region of the Glue jobs",
        "iam_role_name": "the IAM role the Glue jobs run as",
    },
    "emr-serverless": {
        "aws_conn_id": "the Airflow AWS connection",
        "application_id": "the EMR Serverless application that runs the jobs",
        "execution_role_arn": "the IAM role ARN the job runs assume",
    },
    "databricks": {
        "databricks_conn_id": "the Airflow Databricks connection",
    },
}
"""Per section, the settings that must be given, with what each is for."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "airflow": {
        "schedule": "@daily",
        "start_date": "2026-11-01",
        "catchup": False,
        "dag_id_prefix": "dwh_",
        "variable_prefix": "dwh_secret_",
        "tags": ["dwh"],
    },
    "artifacts": {"entry": "generic_entry.py"},
    "spark-submit": {"conf": {}, "env_vars": {}},
    "glue": {
        "job_name_prefix": "dwh-",
        "glue_version": "5.0",
        "worker_type": "G.1X",
        "number_of_workers": 2,
        "additional_python_modules": "pydantic>=2.10,<3",
    },
    "emr-serverless": {"spark_conf": {}},
    "databricks": {},
}
"""Per section, the settings that may be left out, with their defaults."""

DATABRICKS_CLUSTER_KEYS = ("existing_cluster_id", "new_cluster")
"""A Databricks task runs on one of these (exactly one must be set)."""

DEFAULT_SETTINGS_NAME = "deploy.json"
"""The settings file's name in the examples folder, where the commands look first."""


@dataclass(frozen=True)
class DeploySettings:
    """The parsed settings file.

    Attributes:
        data: The decoded JSON object.
        source: The file it came from, for messages.
    """

    data: Mapping[str, Any]
    source: str

    @classmethod
    def load(cls, path: Path) -> DeploySettings:
        """Read a settings file.

        Raises:
            DeployError: It is missing, not JSON, or not an object of sections.
        """
        data = read_json_file(path, what="deploy settings", error=DeployError)
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise DeployError(
                f"deploy settings {path} must be a JSON object of sections "
                f"(airflow, artifacts, {', '.join(PLATFORMS)}), each an object"
            )
        return cls(data, str(path))

    def section(self, name: str) -> dict[str, Any]:
        """Return one section with its defaults filled in and its required keys checked.

        Raises:
            DeployError: A required setting is missing or empty.
        """
        given = dict(self.data.get(name) or {})
        for key, purpose in REQUIRED.get(name, {}).items():
            if given.get(key) in (None, ""):
                raise DeployError(
                    f"deploy settings {self.source}: missing '{name}.{key}' ({purpose})"
                )
        if name == "databricks":
            chosen = [key for key in DATABRICKS_CLUSTER_KEYS if given.get(key)]
            if len(chosen) != 1:
                raise DeployError(
                    f"deploy settings {self.source}: set exactly one of "
                    f"'databricks.existing_cluster_id' or 'databricks.new_cluster' "
                    f"(the cluster the tasks run on); got {len(chosen)}"
                )
        return {**DEFAULTS.get(name, {}), **given}

    def dag_folder(self) -> str | None:
        """The configured DAG folder (``airflow.dag_folder``), which ``dwh check`` compares."""
        folder = (self.data.get("airflow") or {}).get("dag_folder")
        return str(folder) if folder else None


def check_platform(platform: str) -> str:
    """Return ``platform`` if it is one of :data:`PLATFORMS`.

    Raises:
        DeployError: It is not.
    """
    if platform not in PLATFORMS:
        raise DeployError(
            f"unknown platform '{platform}' for --platform; accepted: {', '.join(PLATFORMS)}"
        )
    return platform

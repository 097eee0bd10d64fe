"""Deploy: generate what an orchestrator runs from the registry and the trigger map.

- :mod:`dwh.deploy.dags`: one DAG plan per trigger chain, a task per job, each task's
  generic-entry argv (production config, ``{{ ds }}``, lineage, secrets by Variable);
- :mod:`dwh.deploy.settings`: the ``deploy`` settings file (conn ids, roles, clusters);
- :mod:`dwh.deploy.airflow`: the static Airflow DAG files, written atomically, and
  the drift check ``dwh check`` runs (rule ``dag-drift``).

It sits beside :mod:`dwh.notebook` in the layers, above what it reads: the registry,
the trigger map, the backfill's templating and ``dwh package``'s artifact names.

The command is ``dwh deploy airflow`` (:mod:`dwh.cli.deploy`). Nothing here imports
pyspark or Airflow: the generated files import Airflow, dwh never does.
"""

from __future__ import annotations

from dwh.deploy.airflow import (
    DeployInputs,
    Drift,
    WriteResult,
    configured_dag_folder,
    drift,
    drift_violations,
    generate,
    project_path,
    read_manifest,
    write_dags,
)
from dwh.deploy.dags import PROD_CONFIG, DagPlan, TaskPlan, plan_dags
from dwh.deploy.settings import PLATFORMS, DeploySettings

__all__ = [
    "PLATFORMS",
    "PROD_CONFIG",
    "DagPlan",
    "DeployInputs",
    "DeploySettings",
    "Drift",
    "TaskPlan",
    "WriteResult",
    "configured_dag_folder",
    "drift",
    "drift_violations",
    "generate",
    "plan_dags",
    "project_path",
    "read_manifest",
    "write_dags",
]

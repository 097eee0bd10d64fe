"""Fixtures for ``dwh deploy airflow``: a scratch project of inputs, and real Airflow.

Airflow runs from its own venv (``make airflow-venv``: ``.airflow-venv``, built from
``requirements/airflow.txt``), in a subprocess with a private ``AIRFLOW_HOME`` and
without dwh on its path: a generated DAG must parse with Airflow and its provider only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy_helpers import AIRFLOW_PYTHON, EXAMPLES, Project
from lifecycle_support import SUPPORT_DIR, TEST_JOB_PACKAGES


@pytest.fixture(scope="session")
def airflow_python() -> Path:
    """The Airflow venv's interpreter; `make test` builds the venv first."""
    assert AIRFLOW_PYTHON.is_file(), "the Airflow venv is missing: run `make airflow-venv`"
    return AIRFLOW_PYTHON


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The shipped inputs (prod configs, trigger map, settings) copied into a scratch folder."""
    made = Project(tmp_path / "project")
    for job in ("noop", "transform_images", "filter_images"):
        made.write_prod(job, json.loads((EXAMPLES / "configs" / job / "prod.json").read_text()))
    made.write_triggers(json.loads((EXAMPLES / "triggers.json").read_text()))
    settings = json.loads((EXAMPLES / "deploy.json").read_text())
    settings["airflow"]["dag_folder"] = str(made.dags)
    made.write_settings(settings)
    return made


@pytest.fixture
def test_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Register the lifecycle test jobs (``dated``, ``relay``, ...) beside dwh's own."""
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("DWH_JOB_PACKAGES", TEST_JOB_PACKAGES)
    yield

"""Helpers for the ``dwh deploy airflow`` tests: a scratch project of inputs, real Airflow.

Airflow runs from its own venv (``make airflow-venv``: ``.airflow-venv``, built from
``requirements/airflow.txt``), in a subprocess with a private ``AIRFLOW_HOME`` and
without dwh on its path: a generated DAG must parse with Airflow and its provider only.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from dwh.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
AIRFLOW_PYTHON = REPO / ".airflow-venv" / "bin" / "python"
PROBE = Path(__file__).with_name("airflow_probe.py")
PLATFORMS = ("spark-submit", "glue", "emr-serverless", "databricks")
DAY = "2026-11-24"


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment for Airflow: its own home, no examples, nothing of dwh's."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "PYTHON", "DWH_", "VIRTUAL_ENV"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def probe(python: Path, home: Path, *args: str, timeout: float = 300) -> Any:
    """Run the Airflow probe in the Airflow venv and return what it printed."""
    proc = subprocess.run(
        [str(python), str(PROBE), *args],
        env=airflow_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("PROBE "))
    return json.loads(line[len("PROBE ") :])


@dataclass
class Project:
    """A scratch set of inputs: settings, prod configs, a trigger map, a DAG folder."""

    root: Path

    @property
    def examples(self) -> Path:
        return self.root / "examples"

    @property
    def configs(self) -> Path:
        return self.examples / "configs"

    @property
    def triggers(self) -> Path:
        return self.examples / "triggers.json"

    @property
    def settings(self) -> Path:
        return self.examples / "deploy.json"

    @property
    def dags(self) -> Path:
        return self.root / "dags"

    def write_prod(self, job: str, config: dict[str, Any]) -> Path:
        path = self.configs / job / "prod.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        return path

    def write_triggers(self, triggers: dict[str, Any]) -> None:
        self.triggers.parent.mkdir(parents=True, exist_ok=True)
        self.triggers.write_text(json.dumps(triggers, indent=2), encoding="utf-8")

    def write_settings(self, settings: dict[str, Any]) -> None:
        self.settings.parent.mkdir(parents=True, exist_ok=True)
        self.settings.write_text(json.dumps(settings, indent=2), encoding="utf-8")

    def deploy(self, platform: str, *jobs: str, out: Path | None = None) -> Result:
        """``dwh deploy airflow`` on these inputs, in-process."""
        args = ["deploy", "airflow", *jobs, "--platform", platform]
        args += ["--configs", str(self.configs), "--triggers", str(self.triggers)]
        args += ["--settings", str(self.settings), "--out", str(out or self.dags)]
        return CliRunner().invoke(cli, args, catch_exceptions=False)

"""The import rules are declared (pyproject.toml), and a broken one fails the real tools.

``lint-imports`` checks the import-linter contracts in ``[tool.importlinter]``; ruff's
TID253 bans pyspark at module level. Each test that breaks a rule does so in a scratch
copy of the packages, never in the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run the real ``lint-imports`` in ``root``, importing the packages found there."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of dwh, tui and pyproject.toml to break on purpose."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("dwh", "tui"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_repository_keeps_every_contract() -> None:
    result = lint_imports(REPO)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


BREAKS = {
    "tui-imports-pyspark": (
        "tui/validation.py",
        "import pyspark\n",
        "The TUI never imports pyspark BROKEN",
        "tui.validation -> pyspark",
    ),
    "tui-reaches-pyspark-through-dwh": (
        "dwh/registry.py",
        "import pyspark.sql\n",
        "The TUI never imports pyspark BROKEN",
        "dwh.registry -> pyspark (l.",
    ),
    "job-contract-imports-sqlite": (
        "dwh/jobs/abstract_job.py",
        "import sqlite3\n",
        "The job contract loads neither the run store nor SQLite BROKEN",
        "dwh.jobs.abstract_job -> sqlite3",
    ),
    "job-contract-imports-the-store": (
        "dwh/jobs/abstract_job_factory.py",
        "from dwh.runs.store import RunStore\n",
        "The job contract loads neither the run store nor SQLite BROKEN",
        "dwh.jobs.abstract_job_factory -> dwh.runs.store",
    ),
    "dwh-imports-the-tui": (
        "dwh/cli/jobs.py",
        "import tui.validation\n",
        "dwh never imports the TUI BROKEN",
        "dwh.cli.jobs -> tui.validation",
    ),
    "a-job-imports-another": (
        "dwh/jobs/filter_images/filter_images_job.py",
        "from dwh.jobs.noop import noop_job\n",
        "Jobs don't import each other BROKEN",
        "dwh.jobs.filter_images.filter_images_job -> dwh.jobs.noop.noop_job",
    ),
    "a-widget-imports-a-screen": (
        "tui/widgets/history_view.py",
        "from tui.screens.preview import PreviewScreen\n",
        "TUI widgets never import screens BROKEN",
        "tui.widgets.history_view -> tui.screens.preview",
    ),
    "the-ground-imports-upwards": (
        "dwh/events.py",
        "import dwh.cli\n",
        "Layers: each package imports only from the layers below it BROKEN",
        "dwh.events -> dwh.cli",
    ),
    "spark-imports-the-jobs": (
        "dwh/spark/remote.py",
        "import dwh.jobs.run_options\n",
        "Layers: each package imports only from the layers below it BROKEN",
        "dwh.spark.remote -> dwh.jobs.run_options",
    ),
    "two-independent-siblings-import-each-other": (
        "dwh/launch/_command.py",
        "import dwh.preview\n",
        "Layers: each package imports only from the layers below it BROKEN",
        "dwh.launch._command -> dwh.preview",
    ),
}


@pytest.mark.parametrize(("module", "line", "verdict", "chain"), BREAKS.values(), ids=BREAKS)
def test_a_wrong_import_fails_lint_imports_naming_the_contract(
    scratch: Path, module: str, line: str, verdict: str, chain: str
) -> None:
    path = scratch / module
    path.write_text(path.read_text() + "\n" + line)

    result = lint_imports(scratch)

    assert result.returncode == 1, result.stdout + result.stderr
    assert verdict in result.stdout
    assert chain in result.stdout


def test_a_module_level_pyspark_import_fails_ruff(scratch: Path) -> None:
    """TID253: in a light module, pyspark goes inside the function that needs it."""
    path = scratch / "dwh" / "entry.py"
    text = path.read_text()
    path.write_text(text.replace("import argparse\n", "import argparse\n\nimport pyspark\n", 1))
    lazy = scratch / "dwh" / "registry.py"
    lazy.write_text(
        lazy.read_text() + "\n\ndef _spark() -> None:\n    import pyspark  # noqa: F401\n"
    )

    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", "dwh"],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    flagged = [line for line in result.stdout.splitlines() if "TID253" in line]
    assert flagged == [
        f"dwh/entry.py:{text[: text.index('import argparse')].count(chr(10)) + 3}:8: "
        "TID253 `pyspark` is banned at the module level"
    ]

"""``dwh new`` inside a copy of this repository: lint-clean and green with no edits.

The copy stands for a user's checkout: ``dwh new clean_orders`` adds a job to
``dwh.jobs``, then ruff (imports sorted too), ruff format, mypy --strict and the job's
own tests (the fakes tier and the Spark tier) pass on the generated files as they are.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
JOB = "clean_orders"
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".dwh", "spark-warehouse",
    "metastore_db", "data", "demo-data", "dist", "build", "*.egg-info",
)  # fmt: skip


def run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DWH_JOB_PACKAGES", None)
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with ``clean_orders`` scaffolded into it."""
    copy = tmp_path_factory.mktemp("checkout") / "repo"
    shutil.copytree(REPO, copy, ignore=SKIP, symlinks=True)
    new = run([sys.executable, "-c", "from dwh.cli import main; main()", "new", JOB], copy)
    assert new.returncode == 0, new.stderr
    return copy


def generated(checkout: Path) -> list[str]:
    return [
        f"dwh/jobs/{JOB}",
        f"tests/jobs/{JOB}/test_{JOB}_job.py",
        f"tests/jobs/{JOB}/test_{JOB}_spark.py",
    ]


def test_the_scaffold_passes_ruff_and_ruff_format(checkout: Path) -> None:
    lint = run([str(BIN / "ruff"), "check", *generated(checkout)], checkout)
    fmt = run([str(BIN / "ruff"), "format", "--check", *generated(checkout)], checkout)

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_the_scaffold_passes_mypy_strict(checkout: Path) -> None:
    mypy = run([sys.executable, "-m", "mypy", f"dwh/jobs/{JOB}"], checkout)

    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    assert "Success" in mypy.stdout


@pytest.mark.spark
def test_the_scaffolds_fakes_and_spark_tests_pass(checkout: Path) -> None:
    fast = run(
        [sys.executable, "-m", "pytest", "-q", "-m", "not spark", f"tests/jobs/{JOB}"], checkout
    )
    slow = run([sys.executable, "-m", "pytest", "-q", "-m", "spark", f"tests/jobs/{JOB}"], checkout)

    assert fast.returncode == 0, fast.stdout + fast.stderr
    assert "5 passed, 2 deselected" in fast.stdout
    assert slow.returncode == 0, slow.stdout + slow.stderr
    assert "2 passed, 5 deselected" in slow.stdout

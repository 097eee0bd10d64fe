"""``dwh new`` inside a copy of this repository: lint-clean and green with no edits.

The copy stands for a user's checkout: ``dwh new clean_orders`` adds a one-input job to
``dwh.jobs`` and ``dwh new shop_orders --inputs orders,customers`` a two-input one; then
ruff (imports sorted too), ruff format, mypy --strict and each job's own tests (the
fakes tier and the Spark tier, lineage included) pass on the generated files as they are.
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
JOBS = {"clean_orders": [], "shop_orders": ["--inputs", "orders,customers"]}
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
    """A copy of the repository with both jobs scaffolded into it."""
    copy = tmp_path_factory.mktemp("checkout") / "repo"
    shutil.copytree(REPO, copy, ignore=SKIP, symlinks=True)
    for job, options in JOBS.items():
        dwh = [sys.executable, "-c", "from dwh.cli import main; main()"]
        new = run([*dwh, "new", job, *options], copy)
        assert new.returncode == 0, new.stderr
    return copy


def generated(checkout: Path) -> list[str]:
    return [
        path
        for job in JOBS
        for path in (
            f"dwh/jobs/{job}",
            f"tests/jobs/{job}/test_{job}_job.py",
            f"tests/jobs/{job}/test_{job}_spark.py",
        )
    ]


def test_the_scaffold_passes_ruff_and_ruff_format(checkout: Path) -> None:
    lint = run([str(BIN / "ruff"), "check", *generated(checkout)], checkout)
    fmt = run([str(BIN / "ruff"), "format", "--check", *generated(checkout)], checkout)

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_the_scaffold_passes_mypy_strict(checkout: Path) -> None:
    mypy = run([sys.executable, "-m", "mypy", *(f"dwh/jobs/{job}" for job in JOBS)], checkout)

    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    assert "Success" in mypy.stdout


@pytest.mark.spark
def test_the_scaffolds_fakes_and_spark_tests_pass(checkout: Path) -> None:
    tests = [f"tests/jobs/{job}" for job in JOBS]
    fast = run([sys.executable, "-m", "pytest", "-q", "-m", "not spark", *tests], checkout)
    slow = run([sys.executable, "-m", "pytest", "-q", "-m", "spark", *tests], checkout)

    assert fast.returncode == 0, fast.stdout + fast.stderr
    assert "10 passed, 4 deselected" in fast.stdout
    assert slow.returncode == 0, slow.stdout + slow.stderr
    assert "4 passed, 10 deselected" in slow.stdout

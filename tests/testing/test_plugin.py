"""The installed pytest plugin, seen from a project outside this repository."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT_TESTS = """
from __future__ import annotations


def test_fast() -> None:
    assert 1 + 1 == 2


def test_uses_spark(spark) -> None:
    assert spark.range(3).count() == 3


def test_uses_spark_indirectly(frame) -> None:
    assert frame.count() == 2
"""

PROJECT_CONFTEST = """
import pytest


@pytest.fixture
def frame(spark):
    return spark.range(2)
"""


def collect(project: Path, *args: str) -> list[str]:
    """The test ids pytest selects in ``project``, in a fresh process (no Spark started)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=project,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode in (0, 5), result.stdout + result.stderr
    return sorted(line for line in result.stdout.splitlines() if "::" in line)


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "outside"
    project.mkdir()
    # --strict-markers: the plugin itself must declare the marker it adds.
    (project / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    (project / "conftest.py").write_text(textwrap.dedent(PROJECT_CONFTEST))
    (project / "test_outside.py").write_text(textwrap.dedent(PROJECT_TESTS))
    return project


def test_an_outside_projects_spark_tests_are_marked_by_the_plugin(tmp_path: Path) -> None:
    project = make_project(tmp_path)

    fast = collect(project, "-m", "not spark")
    slow = collect(project, "-m", "spark")

    assert fast == ["test_outside.py::test_fast"]
    assert slow == [
        "test_outside.py::test_uses_spark",
        "test_outside.py::test_uses_spark_indirectly",
    ]


def test_an_outside_project_can_use_the_marker_under_strict_markers(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "test_marked.py").write_text(
        "import pytest\n\n\n@pytest.mark.spark\ndef test_marked_by_hand() -> None:\n    pass\n"
    )

    assert "test_marked.py::test_marked_by_hand" in collect(project, "-m", "spark")

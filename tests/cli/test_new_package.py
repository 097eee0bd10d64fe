"""``dwh new --package P``: a new job package is created, declared and listed at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dwh.devtools.scaffold import plan_job

REPO = Path(__file__).resolve().parents[2]


def _forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user's project: a pyproject.toml and nothing else; the working directory."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0.1.0"\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("DWH_JOB_PACKAGES", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))  # make_importable adds the project
    _forget("newpkg")
    yield root
    _forget("newpkg")


def dwh(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``dwh ARGS`` in a new process, as the user's next command."""
    env = {k: v for k, v in os.environ.items() if k != "DWH_JOB_PACKAGES"}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-c", "from dwh.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_new_package_is_created_declared_and_listed_right_after(invoke, project: Path) -> None:
    created = invoke("new", "stg_payments", "--package", "newpkg.jobs")

    assert created.exit_code == 0, created.stderr
    assert (
        f"job package newpkg.jobs is declared in {project / 'pyproject.toml'} "
        "([tool.dwh] job_packages), so dwh finds it from this project"
    ) in " ".join(created.stdout.split())
    for init in ("newpkg", "newpkg/jobs", "newpkg/jobs/_shared", "newpkg/jobs/stg_payments"):
        assert (project / init / "__init__.py").is_file(), init
    settings = tomllib.loads((project / "pyproject.toml").read_text())
    assert settings["tool"]["dwh"]["job_packages"] == ["dwh.jobs", "newpkg.jobs"]
    assert settings["project"]["name"] == "shop"

    listed = dwh("list", "--json", cwd=project)
    assert listed.returncode == 0, listed.stderr
    modules = [job["module"] for job in json.loads(listed.stdout)]
    assert "newpkg.jobs.stg_payments.stg_payments_job_factory" in modules
    assert "dwh.jobs.noop.noop_job_factory" in modules
    shown = dwh("show", "stg_payments", cwd=project / "newpkg")  # from a subfolder too
    assert shown.returncode == 0, shown.stderr
    assert "input_path" in shown.stdout
    checked = invoke("check", "stg_payments")
    assert checked.exit_code == 0, checked.stdout
    # A plain pytest (-P: the working directory is not on sys.path) finds the package
    # through dwh's pytest plugin.
    env = {k: v for k, v in os.environ.items() if k != "DWH_JOB_PACKAGES"}
    tests = subprocess.run(
        [sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not spark"],
        cwd=project,
        env={**env, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed, 2 deselected" in tests.stdout


def test_a_second_job_in_the_new_package_leaves_the_declaration_alone(
    invoke, project: Path
) -> None:
    invoke("new", "stg_payments", "--package", "newpkg.jobs")
    before = (project / "pyproject.toml").read_text()

    second = invoke("new", "stg_orders", "--package", "newpkg.jobs")

    assert second.exit_code == 0, second.stderr
    assert (project / "pyproject.toml").read_text() == before
    assert "declared in" not in second.stdout


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ('[tool.dwh]\nkeep_me = 1\n', ["dwh.jobs", "newpkg.jobs"]),
        ('[tool.dwh]\njob_packages = ["team.jobs"]  # ours\n\n[tool.x]\ny = 2\n', ["team.jobs", "newpkg.jobs"]),
        ('[tool.ruff]\nline-length = 100\n', ["dwh.jobs", "newpkg.jobs"]),
    ],
)  # fmt: skip
def test_the_declaration_is_added_to_what_the_pyproject_has(
    project: Path, pyproject: str, expected: list[str]
) -> None:
    (project / "pyproject.toml").write_text(pyproject)

    scaffold = plan_job("stg_payments", package="newpkg.jobs")

    assert scaffold.pyproject is not None
    path, text = scaffold.pyproject
    data = tomllib.loads(text)
    assert path == project / "pyproject.toml"
    original = tomllib.loads(pyproject)  # everything else is kept as it was
    original["tool"].setdefault("dwh", {})["job_packages"] = expected
    assert data == original


def test_a_pyproject_it_cannot_edit_safely_is_refused_and_nothing_written(
    invoke, project: Path
) -> None:
    text = '[tool.dwh]\njob_packages = [\n  "team.jobs",\n]\n'
    (project / "pyproject.toml").write_text(text)

    result = invoke("new", "stg_payments", "--package", "newpkg.jobs")

    assert result.exit_code == 2
    assert result.stderr.startswith("dwh: error: cannot update [tool.dwh] job_packages in ")
    assert 'set it by hand: job_packages = ["team.jobs", "newpkg.jobs"]' in result.stderr
    assert (project / "pyproject.toml").read_text() == text
    assert not (project / "newpkg").exists()


@pytest.mark.parametrize(
    ("package", "message"),
    [
        ("shop-jobs", "invalid --package 'shop-jobs': expected a dotted Python package name"),
        (
            "dwh.devtools",
            "package 'dwh.devtools' is not a job package (dwh.jobs) and lives outside",
        ),
        ("dwh.myjobs", "cannot create job package 'dwh.myjobs': its parent 'dwh' is installed"),
    ],
)
def test_a_package_it_cannot_create_is_refused_in_one_line(
    invoke, project: Path, package: str, message: str
) -> None:
    result = invoke("new", "stg_payments", "--package", package)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"dwh: error: {message}")
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml"]

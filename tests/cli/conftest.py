"""Fixtures for the ``dwh`` command line tests: a runner and throwaway job packages."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dwh.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
CONTRACT_JOBS = FIXTURES / "contract_jobs"

Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run ``dwh ARGS...`` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private DWH_HOME (run store, saved state) for one test."""
    home = tmp_path / "dwh-home"
    monkeypatch.setenv("DWH_HOME", str(home))
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    return home


@pytest.fixture
def contract_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Register the ``badjobs`` fixture package, each job of which breaks one rule."""
    monkeypatch.syspath_prepend(str(CONTRACT_JOBS))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "badjobs")
    monkeypatch.chdir(CONTRACT_JOBS)
    yield CONTRACT_JOBS


def _forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


@pytest.fixture
def job_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty job package ``tmpjobs`` in a scratch project; the working directory is it.

    The project has a ``pyproject.toml``: ``dwh new`` finds the project root that way.
    """
    _forget("tmpjobs")  # each test's tmpjobs is a different folder
    project = tmp_path / "project"
    (project / "tmpjobs").mkdir(parents=True)
    (project / "tmpjobs" / "__init__.py").write_text('"""Scratch jobs."""\n')
    (project / "pyproject.toml").write_text('[project]\nname = "scratch"\nversion = "0.0.1"\n')
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "tmpjobs")
    monkeypatch.chdir(project)
    yield project
    _forget("tmpjobs")

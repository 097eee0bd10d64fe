"""Fixtures for the diff tests: a private run store, the CLI, the widths fixture job."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dwh.cli import cli
from dwh.runs.store import RunStore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunStore]:
    """The run store ``dwh diff`` reads, at $DWH_HOME/runs.db; the cwd is ``tmp_path``."""
    home = tmp_path / "home"
    monkeypatch.setenv("DWH_HOME", str(home))
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    monkeypatch.delenv("DWH_KEEP_VERSIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    opened = RunStore(home / "runs.db")
    yield opened
    opened.close()


@pytest.fixture
def diffjobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the ``diffjobs`` package (the widths job)."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "diffjobs")


@pytest.fixture
def invoke() -> Callable[..., Result]:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run

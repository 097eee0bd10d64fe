"""Fixtures for the ``dwh preview`` tests: a layout per format, the run store, the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from preview_datasets import LAYOUTS

from dwh.cli import cli
from dwh.runs.store import RunStore


@pytest.fixture(params=list(LAYOUTS), ids=list(LAYOUTS))
def layout(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str]:
    build, fmt = LAYOUTS[request.param]
    return build(tmp_path), fmt


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunStore]:
    """The run store ``dwh preview`` reads, at $DWH_HOME/runs.db."""
    home = tmp_path / "home"
    monkeypatch.setenv("DWH_HOME", str(home))
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    opened = RunStore(home / "runs.db")
    yield opened
    opened.close()


@pytest.fixture
def invoke() -> Callable[..., Result]:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run

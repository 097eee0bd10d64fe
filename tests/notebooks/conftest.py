"""Fixtures for the notebook tests; the helpers they share live in ``nbhelpers``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dwh.runs.store import RunStore
from dwh.spark._discovery import DISCOVERY_ENV


@pytest.fixture(autouse=True)
def dwh_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A private dwh state folder (run store included) for each test, seen by the kernel too.

    The job notebooks and the form run on the warm server when one runs: a test that
    does not ask for the suite's server (``warm_server``) sees none, even after one ran.
    """
    home = tmp_path / "dwh-home"
    monkeypatch.setenv("DWH_HOME", str(home))
    monkeypatch.setenv("DWH_RUN_STORE", str(home / "runs.db"))
    monkeypatch.delenv("DWH_JOB_PACKAGES", raising=False)
    if "warm_dir" not in request.fixturenames:
        monkeypatch.setenv(DISCOVERY_ENV, str(tmp_path / "no-server" / "connect-local.json"))
    yield home


@pytest.fixture
def run_store(dwh_home: Path) -> Iterator[RunStore]:
    """The run store the notebook kernels and the generic entry record runs in."""
    store = RunStore(dwh_home / "runs.db")
    yield store
    store.close()

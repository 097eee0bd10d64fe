"""Launcher test fixtures: the ``launchjobs`` package (a job that reports progress)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURE_JOBS = Path(__file__).parent / "fixture_jobs"


@pytest.fixture
def launch_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``launchjobs`` findable here and in the child processes."""
    monkeypatch.setenv("DWH_JOB_PACKAGES", "dwh.jobs,launchjobs")
    monkeypatch.syspath_prepend(str(FIXTURE_JOBS))
    pythonpath = [str(FIXTURE_JOBS), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", ":".join(pythonpath))

"""Lineage test fixtures: the schema check, and a machine with no OpenLineage settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lineage_schemas import schema_errors

OL_ENV_PREFIX = "OPENLINEAGE"


@pytest.fixture
def check_events() -> Callable[[list[dict[str, Any]]], None]:
    """Assert that every event (and facet) is valid; at least one event is expected."""

    def check(events: list[dict[str, Any]]) -> None:
        assert events, "no OpenLineage event to check"
        problems = [p for event in events for p in schema_errors(event)]
        assert not problems, "\n".join(problems)

    return check


@pytest.fixture
def no_lineage_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OpenLineage setting from the machine leaks in; cwd and HOME are empty folders."""
    for name in list(os.environ):
        if name.startswith(OL_ENV_PREFIX):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work

"""TUI test fixtures: an isolated $DWH_HOME, the fixture job package, fakes, helpers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import (
    CHILD_RUN,
    FIXTURE_JOBS,
    IMAGES_RUN,
    TEST_PACKAGES,
    Counter,
    noop_events,
)

from dwh.events import Event
from tui.app import DwhApp


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run every TUI test in its own folder, with its own .dwh state and job packages."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DWH_HOME", ".dwh")
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    monkeypatch.setenv("DWH_JOB_PACKAGES", ",".join(TEST_PACKAGES))
    monkeypatch.syspath_prepend(str(FIXTURE_JOBS))
    pythonpath = [str(FIXTURE_JOBS), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", ":".join(pythonpath))
    return tmp_path


@pytest.fixture
def make_app() -> Callable[..., DwhApp]:
    """Build the app as users get it, with numbered run ids."""

    def make(**kwargs: Any) -> DwhApp:
        kwargs.setdefault("run_ids", Counter())
        kwargs.setdefault("packages", TEST_PACKAGES)
        return DwhApp(**kwargs)

    return make


@pytest.fixture
def seeded_store(isolated_home: Path) -> Iterator[Path]:
    """A run store holding three runs at fixed times."""
    from dwh.runs.store import RunStore

    path = isolated_home / ".dwh" / "runs.db"
    with RunStore(path) as store:
        for run_id, fail in (("20261125T183000Z-aaaaaa", False), ("20261125T184000Z-bbbbbb", True)):
            minute = f"2026-11-25T{run_id[9:11]}:{run_id[11:13]}"
            for item in noop_events(run_id, fail=fail, minute=minute):
                if isinstance(item, Event):
                    store.record(item, module="dwh.jobs.noop.noop_job_factory")
        triggered = Event(
            "job_started",
            job="noop",
            run_id="20261125T185000Z-cccccc",
            payload={"config": {"message": "downstream"}, "config_hash": "x"},
            at="2026-11-25T18:50:00.000Z",
            triggered_by_job="noop",
            triggered_by_run_id="20261125T183000Z-aaaaaa",
        )
        store.record(triggered, module="dwh.jobs.noop.noop_job_factory")
    yield path


@pytest.fixture
def outputs(isolated_home: Path) -> dict[str, str]:
    """A transform_images-like output (50 rows) and rejects (7), relative to the cwd."""
    from dwh.testing.outputs import write_images_outputs

    return write_images_outputs(Path("data"), rows=50, rejects=7)


@pytest.fixture
def image_store(isolated_home: Path, outputs: dict[str, str]) -> Path:
    """A store with one transform_images run and a run it triggered."""
    from dwh.events import EventName
    from dwh.runs.store import RunStore
    from dwh.testing.outputs import record_succeeded_run

    path = isolated_home / ".dwh" / "runs.db"
    with RunStore(path) as store:
        record_succeeded_run(
            store, IMAGES_RUN, "transform_images", outputs, config={"raw_path": "data/raw"}
        )
        store.record(
            Event(
                EventName.JOB_STARTED,
                job="filter_images",
                run_id=CHILD_RUN,
                payload={"config": {}, "config_hash": "x"},
                at="2026-11-25T18:40:00.000Z",
                triggered_by_job="transform_images",
                triggered_by_run_id=IMAGES_RUN,
            )
        )
    return path

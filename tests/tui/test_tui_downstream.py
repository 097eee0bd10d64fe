"""ctrl+g: run the job, then the jobs the trigger map chains after it (issue 28 item 7).

Real child processes of the no-Spark ``noop`` and ``relay`` jobs, through the trigger
runner ``dwh run --follow`` uses (:func:`dwh.triggers.run_with_triggers`), into a real
run store.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lifecycle_support import SUPPORT_DIR
from tui_helpers import SIZE, TEST_PACKAGES, open_job, wait_for

from dwh.events import RunStatus
from dwh.runs.store import RunStore
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole

PACKAGES = (*TEST_PACKAGES, "dwh_test_jobs")
CHAIN = {"noop": [{"job": "relay", "map": {"message": "metrics.message"}}]}


@pytest.fixture(autouse=True)
def relay_job(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ``relay`` test job registered here and in the runs' child processes."""
    monkeypatch.setenv("DWH_JOB_PACKAGES", ",".join(PACKAGES))
    monkeypatch.setenv("DWH_ALERTS", "off")
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("PYTHONPATH", f"{SUPPORT_DIR}:{os.environ['PYTHONPATH']}")
    monkeypatch.delenv("DWH_TRIGGERS", raising=False)
    return isolated_home


def _with_map(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = home / "triggers.json"
    path.write_text(json.dumps(CHAIN))
    monkeypatch.setenv("DWH_TRIGGERS", str(path))


async def _start(pilot, config: dict) -> RunConsole:
    await open_job(pilot, "noop")
    pilot.app.screen.query_one(ConfigEditor).set_text(json.dumps(config))
    await pilot.pause()
    await pilot.press("ctrl+g")
    return pilot.app.screen.query_one(RunConsole)


async def test_ctrl_g_runs_the_job_then_its_downstream_job(
    make_app, relay_job: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_map(relay_job, monkeypatch)
    app = make_app(packages=PACKAGES)
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, {"message": "passed on"})
        await wait_for(pilot, lambda: console.status not in ("starting", "running"), 120)
        assert console.status == RunStatus.SUCCEEDED, console.message
        assert console.message == "2 runs: noop succeeded, relay succeeded"
        started = [e.split("  ", 1)[1] for e in console.entries if "▶ started" in e]
        assert [s.split("  ")[1] for s in started] == ["noop", "relay"]
        assert any(e.strip() == "triggered by noop/run-0001" for e in console.entries)
        assert "then, from " in "\n".join(console.entries)
    with RunStore(relay_job / ".dwh" / "runs.db") as store:
        (child,) = store.children("run-0001")
        assert (child.job, child.status, child.triggered_by_job) == ("relay", "succeeded", "noop")
        assert child.metrics["message"] == "passed on"


async def test_ctrl_t_cancels_the_chain_and_nothing_downstream_starts(
    make_app, relay_job: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_map(relay_job, monkeypatch)
    app = make_app(packages=PACKAGES)
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, {"message": "slow", "sleep_seconds": 60})
        await wait_for(pilot, lambda: any("▶ started" in e for e in console.entries), 60)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: console.status not in ("running", "cancelling"), 60)
        assert console.status == RunStatus.CANCELLED, console.message
        assert console.message == "1 run: noop cancelled"
    with RunStore(relay_job / ".dwh" / "runs.db") as store:
        assert store.get("run-0001").status == "cancelled"
        assert store.children("run-0001") == []


async def test_without_a_downstream_job_ctrl_g_says_so_and_runs_nothing(make_app) -> None:
    app = make_app(packages=PACKAGES)
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, {"message": "alone"})
        await pilot.pause()
        assert console.status == "idle"
        (note,) = [n.message for n in app._notifications]
        # The map is whatever dwh finds here (examples/triggers.json in a checkout).
        assert note.startswith("the trigger map (")
        assert "starts no job after noop: ctrl+j runs it alone" in note

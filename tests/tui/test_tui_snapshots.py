"""SVG snapshots of the main screens, with a frozen clock and fixed run ids.

Update them with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from tui_helpers import (
    SIZE,
    Counter,
    FrozenClock,
    ReplayLauncher,
    noop_events,
    open_job,
    steady,
    wait_for,
    wait_until_ready,
)

from tui.app import DwhApp
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole

# Only the fixture jobs, so other packages' new jobs never change these pictures.
PACKAGES = ("tuijobs",)


def _app(items=None, returncode: int = 0) -> DwhApp:
    clock = FrozenClock()
    launcher = ReplayLauncher(items or [], returncode, clock, seconds=3.02)
    return DwhApp(
        launcher=launcher, clock=clock, run_ids=Counter("20261125T183000Z"), packages=PACKAGES
    )


_steady = steady


def test_job_detail(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_job_that_fails_to_import(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "broken")
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_config_editor_with_errors(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        pilot.app.screen.query_one(ConfigEditor).set_text(
            '{\n  "source_path": "s3://bucket/in",\n  "limit": "10",\n  "mood": "append"\n}\n'
        )
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_run_console_succeeded(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("ctrl+j")
        console = pilot.app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status == "succeeded")
        await _steady(pilot)

    items = noop_events("20261125T183000Z-0001", job="sample")
    assert snap_compare(_app(items), terminal_size=SIZE, run_before=run_before)


def test_run_console_failed_with_process_log(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("ctrl+j")
        console = pilot.app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status == "failed")
        await pilot.click("#run-log-box CollapsibleTitle")
        await _steady(pilot)

    items = noop_events("20261125T183000Z-0001", job="sample", fail=True)
    assert snap_compare(_app(items, returncode=1), terminal_size=SIZE, run_before=run_before)


def test_history(snap_compare, seeded_store):
    async def run_before(pilot) -> None:
        await wait_until_ready(pilot)
        await pilot.press("f6", "down", "down")
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare):
    async def run_before(pilot) -> None:
        await wait_until_ready(pilot)
        await pilot.press("f1")
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


NARROW = (80, 24)
BAD_SAMPLE = '{\n  "source_path": "s3://bucket/in",\n  "limit": "10",\n  "mood": "append"\n}\n'


def test_config_editor_at_80x24(snap_compare):
    # The default terminal size: a slimmer tree, the validation panel under the editor.
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        pilot.app.screen.query_one(ConfigEditor).set_text(BAD_SAMPLE)
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=NARROW, run_before=run_before)


def test_config_editor_at_80x24_with_the_tree_hidden(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("f4", "ctrl+b")
        pilot.app.screen.query_one(ConfigEditor).set_text(BAD_SAMPLE)
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=NARROW, run_before=run_before)


def test_run_console_with_spark_progress(snap_compare):
    from tui_helpers import spark_progress

    run_id = "20261125T183000Z-0001"
    items = noop_events(run_id, job="sample")
    items[2:2] = [
        spark_progress(run_id, 3, 5, 5, job="sample"),
        spark_progress(run_id, 4, 3, 8, job="sample"),
    ]
    clock = FrozenClock()
    launcher = ReplayLauncher(items, 0, clock, seconds=1.5, hold_after=4)
    app = DwhApp(
        launcher=launcher, clock=clock, run_ids=Counter("20261125T183000Z"), packages=PACKAGES
    )

    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("ctrl+j")
        console = pilot.app.screen.query_one(RunConsole)
        await wait_for(
            pilot, lambda: console.stage is not None and console.stage.payload["stage_id"] == 4
        )
        await _steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

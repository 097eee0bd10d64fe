"""Runs: live events through the generic entry, failure, cancel, a dying process."""

from __future__ import annotations

import asyncio

from textual.widgets import Button
from tui_helpers import (
    SIZE,
    FrozenClock,
    ReplayLauncher,
    noop_events,
    open_job,
    spark_progress,
    wait_for,
)

from dwh.runs.store import RunStore
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole


async def _start(pilot, config: str) -> RunConsole:
    app = pilot.app
    await open_job(pilot, "noop")
    app.screen.query_one(ConfigEditor).set_text(config)
    await pilot.pause()
    await pilot.press("ctrl+j")
    await pilot.pause()
    return app.screen.query_one(RunConsole)


def _store_record(run_id: str):
    with RunStore(".dwh/runs.db", create=False) as store:
        return store.get(run_id)


async def test_run_shows_events_live_and_succeeds(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 0.5}')
        assert app.screen.query_one("#tabs").active == "tab-run"
        assert console.run_id == "run-0001"
        # live: a phase is on screen while the job is still running
        await wait_for(pilot, lambda: any("extract" in e for e in console.entries))
        assert console.status == "running"
        assert console.running
        assert not app.screen.query_one("#cancel", Button).disabled
        assert app.screen.query_one("#run", Button).disabled  # one run at a time
        await wait_for(pilot, lambda: not console.running)
        assert console.status == "succeeded"
        text = "\n".join(console.entries)
        for expected in ("▶ started", "extract", "transform", "load", "✔ succeeded"):
            assert expected in text
        assert "metric  phases = 3" in text
        assert "on_success ran" in text
        assert "exit 0" in console.message
        # the process's own output is kept out of the lifecycle view
        assert any(line.startswith("dwh: job 'noop' succeeded") for line in console.log_lines)
        assert not any(e.startswith("dwh:") for e in console.entries)
        record = _store_record("run-0001")
        assert record.status == "succeeded"
        assert not app.screen.query_one("#run", Button).disabled


async def test_failed_run_shows_on_failure(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 0, "fail_with": "boom"}')
        await wait_for(pilot, lambda: console.status == "failed")
        text = "\n".join(console.entries)
        assert "✘ failed" in text
        assert "RuntimeError: boom" in text
        assert "on_failure ran" in text
        assert "exit 1" in console.message
        assert console.has_class("-bad")
        assert _store_record("run-0001").status == "failed"


async def test_cancel_a_running_job(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 30}')
        await wait_for(pilot, lambda: any("started" in e for e in console.entries))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: not console.running)
        assert console.status == "cancelled"
        text = "\n".join(console.entries)
        assert "■ cancelled" in text
        assert "on_failure ran" in text
        assert "exit 130" in console.message
        record = _store_record("run-0001")
        assert record.status == "cancelled"
        assert record.ended_at is not None


async def test_process_that_dies_is_reported_and_recorded(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 30}')
        await wait_for(pilot, lambda: any("started" in e for e in console.entries))
        app.screen.query_one(
            RunConsole
        ).handle.process.kill()  # SIGKILL: the job cannot report anything
        await wait_for(pilot, lambda: not console.running)
        assert console.status == "failed"
        assert "died (SIGKILL)" in console.message
        record = _store_record("run-0001")
        assert record.status == "failed"
        assert "SIGKILL" in record.error


async def test_a_run_killed_before_its_store_write_is_recorded_from_what_it_streamed(make_app):
    # Each event reaches the TUI before the store; this process "died" (SIGKILL) after
    # streaming job_started and one phase, and before recording either.
    RunStore(".dwh/runs.db").close()
    streamed = noop_events("run-0001")[:3]
    app = make_app(launcher=ReplayLauncher(streamed, -9, FrozenClock(), seconds=1.0))
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, "{}")
        await wait_for(pilot, lambda: not console.running)
        assert console.status == "failed"
        assert "died (SIGKILL)" in console.message
    record = _store_record("run-0001")
    assert record is not None, "the run is in the history"
    assert (record.status, record.module) == ("failed", "dwh.jobs.noop.noop_job_factory")
    assert "SIGKILL" in record.error
    with RunStore(".dwh/runs.db", create=False) as store:
        assert [e.event for e in store.events("run-0001")] == ["job_started", "phase_finished"]


async def test_ui_stays_responsive_while_a_job_runs(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 30}')
        await wait_for(pilot, lambda: console.status == "running")
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "tab-job"
        await pilot.press("ctrl+t")  # works from any tab
        await wait_for(pilot, lambda: not console.running)
        # the run ended out of sight: a notification says how
        assert any(n.message.startswith("noop cancelled") for n in app._notifications)


async def test_quitting_during_a_run_stops_the_job(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 30}')
        await wait_for(pilot, lambda: console.status == "running")
        process = app.screen.query_one(RunConsole).handle.process
    await asyncio.wait_for(process.wait(), timeout=30)
    assert process.returncode == 130


class _NoInterpreterLauncher:
    async def launch(self, request):
        raise FileNotFoundError(2, "No such file or directory", "/gone/python")


async def test_a_job_that_cannot_start_is_a_failed_status(make_app):
    app = make_app(launcher=_NoInterpreterLauncher())
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, '{"sleep_seconds": 0}')
        await wait_for(pilot, lambda: console.status == "failed")
        assert "could not be started" in console.message
        assert "/gone/python" in console.message
        assert not app.screen.query_one("#run", Button).disabled  # can try again


async def test_a_flood_of_spark_output_stays_out_of_the_lifecycle_and_is_capped(make_app):
    from dwh.launch import LogLine
    from tui.widgets.run_console import MAX_LOG_LINES

    items = noop_events("run-0001")
    items[1:1] = [LogLine(f"INFO TaskSetManager: Finished task {i}") for i in range(6000)]
    clock = FrozenClock()
    app = make_app(launcher=ReplayLauncher(items, 0, clock, seconds=3.0))
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, "{}")
        await wait_for(pilot, lambda: console.status == "succeeded")
        assert console.log_count == 6002
        assert len(console.log_lines) == MAX_LOG_LINES
        assert console.log_lines[-1] == "dwh: job 'noop' succeeded in 3.0s"
        assert not any("TaskSetManager" in entry for entry in console.entries)
        log = app.screen.query_one("#run-log")
        assert log.line_count == MAX_LOG_LINES
        assert "6002 lines" in str(app.screen.query_one("#run-log-box").title)


async def test_spark_progress_is_a_bar_under_the_status_not_lines(make_app):
    from textual.widgets import ProgressBar, Static

    items = noop_events("run-0001")
    # job_started, a log line, then stage 3 moving, then stage 4 begun
    progress = [spark_progress("run-0001", 3, done, 5) for done in (0, 2, 5)]
    items[2:2] = [*progress, spark_progress("run-0001", 4, 1, 8)]
    launcher = ReplayLauncher(items, 0, FrozenClock(), seconds=3.0, hold_after=6)
    app = make_app(launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        console = await _start(pilot, "{}")
        await wait_for(
            pilot, lambda: console.stage is not None and console.stage.payload["stage_id"] == 4
        )
        await pilot.pause()
        box = console.query_one("#run-progress")
        bar = console.query_one("#run-progress-bar", ProgressBar)
        assert box.display and box.region.height == 1
        assert (bar.progress, bar.total) == (1, 8)
        label = str(console.query_one("#run-stage", Static).render())
        assert label == "stage 4  1/8 tasks, 2 running"
        assert console.status == "running"
        # progress is shown on the bar only, never logged line by line
        assert not any("spark_progress" in e or "stage" in e for e in console.entries)
        assert box.region.y < console.query_one("#run-lifecycle").region.y
        launcher.gate.set()
        await wait_for(pilot, lambda: console.status == "succeeded")
        assert not box.display
        text = "\n".join(console.entries)
        assert "✔ succeeded" in text and "load" in text

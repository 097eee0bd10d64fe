"""The run drill-down's Log tab: a launched run's stored process log, searchable and capped.

The logs are real files under ``$DWH_HOME/logs`` (written by the launcher, or as it
writes them); the runs are real run-store rows. Also the head's Spark UI link.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Log, Static
from tui_helpers import SIZE, open_job, wait_for, wait_until_ready

from dwh.events import Event, EventName
from dwh.runs.logs import RunLogWriter
from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run
from tui.app import DwhApp
from tui.screens.run_detail import LOG_SHOWN_LINES, RunDetailScreen
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole

LOGGED = "20261125T183000Z-log001"
UNLOGGED = "20261125T184000Z-nolog1"
LINES = 20_000


def _line(n: int) -> str:
    level = "ERROR" if n % 100 == 0 else "INFO"
    return f"26/11/25 18:30:{n % 60:02d} {level} TaskSetManager: Finished task {n}.0 in stage 3.0"


@pytest.fixture
def store(isolated_home: Path) -> RunStore:
    """Two runs: one with a 20,000-line stored log (every 100th line an ERROR), one without."""
    path = isolated_home / ".dwh" / "runs.db"
    with RunStore(path) as runs:
        record_succeeded_run(runs, LOGGED, "transform_images", {})
        record_succeeded_run(runs, UNLOGGED, "transform_images", {}, minute="2026-11-25T18:40")
    writer = RunLogWriter(LOGGED)
    for n in range(LINES):
        writer.write(_line(n))
    writer.close()
    return RunStore(path, create=False)


def _plain(widget: Static) -> str:
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text().strip()


def _highlighted(log: Log, y: int) -> list[str]:
    """The parts of the y-th visible line drawn in the match style."""
    return [
        segment.text
        for segment in log.render_line(y)
        if segment.style is not None
        and segment.style.bgcolor is not None
        and segment.style.bgcolor.name == "yellow"
    ]


async def _open(pilot, store: RunStore, run_id: str) -> RunDetailScreen:
    await wait_until_ready(pilot)
    screen = RunDetailScreen(store, run_id)
    await pilot.app.push_screen(screen)
    await pilot.press("ctrl+f")  # shows the Log tab and focuses its search box
    await wait_for(pilot, lambda: screen.query_one("#detail-log-lines", Log).line_count > 0)
    return screen


async def test_the_log_tab_searches_a_long_stored_log_and_highlights_the_matches(store) -> None:
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, store, LOGGED)
        log = screen.query_one("#detail-log-lines", Log)
        status = screen.query_one("#detail-log-status", Static)

        assert screen.stored_log is not None and len(screen.stored_log) == LINES
        assert _plain(status) == "process log: 20,000 lines; showing the last 2,000"
        assert screen.shown_log == [_line(n) for n in range(LINES - LOG_SHOWN_LINES, LINES)]
        assert log.line_count == LOG_SHOWN_LINES
        assert screen.query_one("#detail-log-search", Input).has_focus

        await pilot.press(*"error")
        await wait_for(pilot, lambda: screen.matches == 200)
        assert _plain(status) == "process log: 200 of 20,000 lines match 'error'"
        assert screen.shown_log == [_line(n) for n in range(0, LINES, 100)]
        assert log.line_count == 200
        await pilot.pause()
        top = log.scroll_offset.y  # the log follows its end: the last matches show
        assert top > 0
        assert f"task {100 * top}.0 " in "".join(s.text for s in log.render_line(0))
        assert _highlighted(log, 0) == ["ERROR"]

        for _ in "error":
            await pilot.press("backspace")
        await pilot.press(*"FINISHED TASK 1999")
        await wait_for(pilot, lambda: screen.matches == 11)  # 1999, 19990..19999
        assert _plain(status) == "process log: 11 of 20,000 lines match 'FINISHED TASK 1999'"
        assert _highlighted(log, log.line_count - 1 - log.scroll_offset.y) == ["Finished task 1999"]


async def test_a_run_without_a_stored_log_searches_its_events_and_says_why(store) -> None:
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, store, UNLOGGED)
        status = _plain(screen.query_one("#detail-log-status", Static))

        assert screen.stored_log is None
        assert "No process log was stored for this run" in status
        assert "runs from spark-submit, a notebook or a plain dwh run" in status
        assert status.endswith("recorded events: 5 lines")

        await pilot.press(*"PHASE_finished")
        await wait_for(pilot, lambda: screen.matches == 2)
        assert all('"event": "phase_finished"' in line for line in screen.shown_log)
        assert _plain(screen.query_one("#detail-log-status", Static)).endswith(
            "recorded events: 2 of 5 lines match 'PHASE_finished'"
        )


async def test_the_head_links_the_spark_ui_that_job_started_recorded(isolated_home) -> None:
    path = isolated_home / ".dwh" / "runs.db"
    with RunStore(path) as runs:
        runs.record(
            Event(
                EventName.JOB_STARTED,
                job="transform_images",
                run_id=LOGGED,
                payload={"config": {}, "config_hash": "x", "spark_ui_url": "http://10.0.3.7:4040"},
                at="2026-11-25T18:30:00.000Z",
            )
        )
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        screen = RunDetailScreen(RunStore(path, create=False), LOGGED)
        await app.push_screen(screen)
        head = screen.query_one("#detail-head", Static)

        assert screen.spark_ui_url() == "http://10.0.3.7:4040"
        assert "Spark UI: http://10.0.3.7:4040" in _plain(head)
        linked = [span for span in head.content.spans if "link" in str(span.style)]
        assert [head.content.plain[s.start : s.end] for s in linked] == ["http://10.0.3.7:4040"]


async def test_a_job_run_in_the_tui_has_its_process_log_in_the_drill_down(isolated_home) -> None:
    """The run goes through the real launcher (a subprocess); History then finds its log."""
    token = "tok-very-secret-42"
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "sample")
        app.screen.query_one(ConfigEditor).set_text(
            f'{{"source_path": "in", "limit": 3, "api_token": "{token}"}}'
        )
        await pilot.pause()
        await pilot.press("ctrl+j")
        console = app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status in ("succeeded", "failed"))
        assert console.status == "succeeded", list(console.log_lines)
        shown_live = list(console.log_lines)

        await pilot.press("f6")
        history = app.screen.query_one("#history-table", DataTable)
        history.focus()
        await wait_for(pilot, lambda: history.row_count == 1)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        detail = app.screen
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: detail.stored_log is not None)

        assert detail.stored_log == shown_live  # what the run console showed, kept
        assert any("job 'sample' succeeded" in line for line in detail.stored_log)
        assert not any(token in line for line in detail.stored_log)
        await pilot.press(*"SUCCEEDED")
        await wait_for(pilot, lambda: detail.matches == 1)

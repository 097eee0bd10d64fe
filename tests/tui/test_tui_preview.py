"""The TUI's preview and run drill-down, on real output files written with pyarrow.

A run-store row records the outputs, as a finished run leaves them; no Spark is needed.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from rich.console import Console
from textual.widgets import DataTable, Input, Select, Static, Tabs
from tui_helpers import CHILD_RUN as CHILD
from tui_helpers import IMAGES_RUN as RUN
from tui_helpers import (
    SIZE,
    FrozenClock,
    ReplayLauncher,
    noop_events,
    open_job,
    wait_for,
    wait_until_ready,
)

from dwh.events import Event, EventName
from tui.app import DwhApp
from tui.screens.preview import ExportScreen, PreviewScreen
from tui.screens.run_detail import RunDetailScreen
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole


def _plain(widget: Static) -> str:
    """What a Static shows, as plain text (it may hold a rich Table or Syntax)."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def _app() -> DwhApp:
    return DwhApp(packages=("tuijobs",))


async def _open_preview_from_history(pilot) -> PreviewScreen:
    app = pilot.app
    await wait_until_ready(pilot)
    await pilot.press("f6")
    app.screen.query_one("#history-table", DataTable).focus()
    await wait_for(pilot, lambda: app.screen.query_one("#history-table", DataTable).row_count == 2)
    await pilot.press("down")  # the older run: transform_images
    await pilot.press("p")
    await wait_for(
        pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview is not None
    )
    return app.screen


async def test_history_opens_a_runs_preview_and_finds_the_rows(image_store, outputs) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_preview_from_history(pilot)
        table = screen.query_one("#preview-table", DataTable)
        assert screen.preview.row_count == 50
        assert table.row_count == 50
        assert [str(c.label) for c in table.columns.values()] == [
            "image_id",
            "width",
            "height",
            "captured_at",
            "camera",
        ]
        assert str(table.get_row_at(0)[0]) == "img-00000"
        assert "50 rows" in _plain(screen.query_one("#preview-summary", Static))

        screen.query_one(Tabs).active = "out-1"  # the rejects
        await wait_for(
            pilot, lambda: screen.preview is not None and screen.current == "rejects_path"
        )
        assert screen.preview.row_count == 7
        assert screen.reasons == [("missing_id", 3), ("bad_json", 2), ("missing_url", 2)]
        assert "missing_id" in _plain(screen.query_one("#preview-reasons", Static))

        await pilot.press("escape")
        assert not isinstance(app.screen, PreviewScreen)


async def test_a_job_run_in_the_console_previews_what_it_wrote(outputs) -> None:
    items = noop_events("20261125T183000Z-0001", job="sample")
    items = [
        dataclasses.replace(i, payload={**i.payload, "outputs": outputs})
        if isinstance(i, Event) and i.event == EventName.JOB_SUCCEEDED
        else i
        for i in items
    ]
    clock = FrozenClock()
    app = DwhApp(
        launcher=ReplayLauncher(items, 0, clock, seconds=3.0), clock=clock, packages=("tuijobs",)
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("ctrl+j")
        console = app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status == "succeeded")
        console.query_one("#run-lifecycle").focus()
        await pilot.press("p")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview is not None
        )
        assert app.screen.query_one("#preview-table", DataTable).row_count == 50
        assert app.screen.outputs == outputs


async def test_a_real_job_run_then_its_preview_finds_the_rows(isolated_home, monkeypatch) -> None:
    """The writer job runs through the generic entry (a real subprocess) and writes Parquet."""
    monkeypatch.setenv("DWH_JOB_PACKAGES", "previewjobs")
    target = isolated_home / "written"
    app = DwhApp(packages=("previewjobs",))
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "writer")
        app.screen.query_one(ConfigEditor).set_text(f'{{"output_path": "{target}", "rows": 42}}')
        await pilot.pause()
        await pilot.press("ctrl+j")
        console = app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status in ("succeeded", "failed"))
        assert console.status == "succeeded", console.entries + list(console.log_lines)
        console.query_one("#run-lifecycle").focus()
        await pilot.press("p")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview is not None
        )
        table = app.screen.query_one("#preview-table", DataTable)
        assert app.screen.preview.row_count == 42 and table.row_count == 42
        assert [str(cell) for cell in table.get_row_at(41)] == ["41", "row 41"]
        await pilot.press("escape", "f6")
        history = app.screen.query_one("#history-table", DataTable)
        history.focus()
        await wait_for(pilot, lambda: history.row_count == 1)
        await pilot.press("p")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview is not None
        )
        assert app.screen.outputs == {"output_path": str(target)}


async def test_filter_sort_and_export_write_the_rows_shown(image_store, isolated_home) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_preview_from_history(pilot)
        await pilot.press("ctrl+f", *"camera=cam-1")
        table = screen.query_one("#preview-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 17)
        table.focus()
        await pilot.press("ctrl+s", "ctrl+s")  # by image_id, then reversed
        assert str(table.get_row_at(0)[0]) == "img-00049"

        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        app.screen.query_one(Select).value = "parquet"
        await pilot.pause()
        box = app.screen.query_one("#export-path", Input)
        assert box.value.endswith("output_path.parquet")
        box.value = str(isolated_home / "exports" / "cam1.parquet")
        box.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: (isolated_home / "exports" / "cam1.parquet").exists())

        written = pq.read_table(isolated_home / "exports" / "cam1.parquet")
        assert written.num_rows == 17
        assert set(written["camera"].to_pylist()) == {"cam-1"}
        ids = written["image_id"].to_pylist()
        assert ids == sorted(ids, reverse=True) and ids[0] == "img-00049"

        box_text = "image_id width"  # a column filter: only those columns
        screen.query_one("#preview-filter", Input).value = box_text
        await wait_for(pilot, lambda: screen.columns == ["image_id", "width"])
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        app.screen.query_one("#export-path", Input).value = "narrow.csv"
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: Path("narrow.csv").exists())
        narrow = pacsv.read_csv("narrow.csv")
        assert narrow.column_names == ["image_id", "width"] and narrow.num_rows == 50


async def test_run_detail_shows_timeline_progress_lineage_and_log(image_store) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("f6")
        history = app.screen.query_one("#history-table", DataTable)
        history.focus()
        await wait_for(pilot, lambda: history.row_count == 2)
        await pilot.press("down", "d")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        detail = app.screen
        assert detail.run_id == RUN
        events = detail.query_one("#detail-events", DataTable)
        assert [events.get_row_at(i)[2] for i in range(events.row_count)] == [
            "job_started",
            "phase_finished",
            "phase_finished",
            "job_succeeded",
        ]
        assert events.get_row_at(3)[1] == "3.5"  # seconds since the start
        assert [str(cell) for cell in events.get_row_at(2)[3:]] == ["load", "2.0", "50"]
        progress = _plain(detail.query_one("#detail-progress", Static))
        assert "stage 3: 4/4 tasks done" in progress
        head = _plain(detail.query_one("#detail-head", Static))
        assert "Spark UI: not recorded for this run" in head
        assert '"raw_path": "data/raw"' in _plain(detail.query_one("#detail-config-json", Static))

        await pilot.press("ctrl+f", *"spark_progress")
        await wait_for(pilot, lambda: len(detail.shown_log) == 1)

        detail.query_one("#detail-tabs").active = "detail-lineage"
        runs = detail.query_one("#detail-runs", DataTable)
        runs.focus()
        assert [runs.get_row_at(i)[0] for i in range(runs.row_count)] == ["this run", "triggered"]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is not detail)
        assert app.screen.run_id == CHILD
        await pilot.press("u")  # back up the lineage, one key
        await wait_for(pilot, lambda: app.screen.run_id == RUN and app.screen is not detail)
        await pilot.press("p")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview is not None
        )
        assert set(app.screen.outputs) == {"output_path", "rejects_path"}


async def test_a_missing_output_is_a_message_not_a_crash(isolated_home) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        screen = PreviewScreen({"gone": "data/deleted"})
        await app.push_screen(screen)
        await wait_for(pilot, lambda: bool(screen.error))
        assert "no file or folder at data/deleted" in screen.error
        assert screen.query_one("#preview-table", DataTable).row_count == 0


async def test_brackets_in_data_and_names_show_as_they_are(isolated_home) -> None:
    import pyarrow as pa

    pq.write_table(
        pa.table({"[col]": ["[red]x[/]", "[unclosed", "a]b"]}), isolated_home / "b.parquet"
    )
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        screen = PreviewScreen({"[out]": "b.parquet"})
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.preview is not None)
        table = screen.query_one("#preview-table", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(3)] == ["[red]x[/]", "[unclosed", "a]b"]
        assert "[col]" in _plain(screen.query_one("#preview-schema", Static))


def test_preview_snapshot(snap_compare, image_store) -> None:
    async def run_before(pilot) -> None:
        await _open_preview_from_history(pilot)
        pilot.app.screen.query_one(Tabs).active = "out-1"
        await wait_for(
            pilot,
            lambda: (
                pilot.app.screen.current == "rejects_path" and pilot.app.screen.preview is not None
            ),
        )
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)

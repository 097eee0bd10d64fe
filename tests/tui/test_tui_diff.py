"""The TUI's diff: the run console's summary line, the d key, the diff screen, History's tab.

The outputs are real folders committed through the atomic commit (two versions with
known changes) and the runs are real run-store rows; the run itself is replayed.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable, Static, TabbedContent, Tabs
from tui_helpers import (
    SIZE,
    Counter,
    FrozenClock,
    ReplayLauncher,
    noop_events,
    open_job,
    wait_for,
    wait_until_ready,
)

from dwh.runs.store import RunStore
from dwh.testing.outputs import commit_version, record_succeeded_run
from tui.app import DwhApp
from tui.screens.diff import DiffScreen
from tui.screens.run_detail import RunDetailScreen
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.diff_view import DiffView
from tui.widgets.run_console import RunConsole

DIFF_FIXTURES = Path(__file__).resolve().parents[1] / "diff" / "fixtures"

RUN = "20261125T183000Z-0001"
BEFORE = "20261125T170000Z-prev01"


def _rows(variant: int) -> list[dict[str, object]]:
    rows = []
    for i in range(40):
        if variant and i % 10 == 7:
            continue  # 4 rows dropped
        width = 640 + i + (1 if variant and i % 4 == 0 else 0)  # 10 widened
        rows.append({"image_id": f"img-{i:03d}", "width": width, "camera": f"cam-{i % 3}"})
    return rows


@pytest.fixture
def changed_output(isolated_home: Path) -> dict[str, int]:
    """out/images, written by BEFORE and then by RUN with known changes; what changed."""
    commit_version(Path("out/images"), _rows(0))
    commit_version(Path("out/images"), _rows(1))
    with RunStore(Path(".dwh/runs.db")) as store:
        record_succeeded_run(
            store, BEFORE, "sample", {"images": "out/images"}, minute="2026-11-25T17:00"
        )
        record_succeeded_run(
            store, RUN, "sample", {"images": "out/images"}, minute="2026-11-25T18:30"
        )
    before = {r["image_id"]: r for r in _rows(0)}
    after = {r["image_id"]: r for r in _rows(1)}
    return {
        "changed": sum(1 for k in after if before[k] != after[k]),
        "width": sum(1 for k in after if before[k]["width"] != after[k]["width"]),
    }


def _app() -> DwhApp:
    clock = FrozenClock()
    items = noop_events(RUN, job="sample")
    launcher = ReplayLauncher(items, 0, clock, seconds=3.02)
    return DwhApp(
        launcher=launcher, clock=clock, run_ids=Counter("20261125T183000Z"), packages=("tuijobs",)
    )


def _plain(widget: Static) -> str:
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


async def _run_and_open_diff(pilot) -> DiffScreen:
    app = pilot.app
    await open_job(pilot, "sample")
    await pilot.press("ctrl+j")
    console = app.screen.query_one(RunConsole)
    await wait_for(pilot, lambda: any(e.startswith("diff: ") for e in console.entries))
    console.query_one("#run-lifecycle").focus()
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.found)
    await pilot.pause()
    return app.screen


async def test_the_run_console_shows_the_summary_and_d_opens_the_diff(changed_output) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _run_and_open_diff(pilot)
        found = screen.found
        assert found is not None and found.key == ()  # the sample job declares no key
        assert (found.old.run_id, found.new.run_id) == (BEFORE, RUN)
        assert (found.old.rows, found.new.rows) == (40, 36)
        head = _plain(screen.query_one("#diff-head", Static))
        assert "images: 40 → 36 rows (-4)" in head
        assert "run 20261125T170000Z-prev01" in head and "no key" in head
        table = screen.query_one("#diff-samples", DataTable)
        assert table.row_count == min(20, found.only_old + found.only_new)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiffScreen))
        entries = app.screen.query_one(RunConsole).entries
        lines = [e for e in entries if e.startswith("diff: ")]
        assert lines == [f"diff: {found.summary_line('images')}"]


async def _open_keyed_diff(pilot) -> DiffScreen:
    await wait_until_ready(pilot)
    screen = DiffScreen(RUN, ["images"], key=["image_id"])
    await pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: screen.found is not None)
    await pilot.pause()
    return screen


async def test_the_diff_screen_by_key_shows_bars_and_old_beside_new(changed_output) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_keyed_diff(pilot)
        found = screen.found
        assert found is not None and found.changed_rows == changed_output["changed"] == 10
        assert {c.name: c.changed for c in found.columns} == {
            "width": changed_output["width"],
            "camera": 0,
        }
        bars = _plain(screen.query_one("#diff-columns", Static))
        assert "width" in bars and "27.8%" in bars  # 10 of the 36 matched rows
        table = screen.query_one("#diff-samples", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "image_id",
            "column",
            "old",
            "new",
        ]
        first = table.get_row_at(0)
        assert (str(first[0]), str(first[1]), str(first[2]), str(first[3])) == (
            "img-000",
            "width",
            "640",
            "641",
        )


async def test_history_drill_down_has_a_diff_tab_that_opens_the_screen(changed_output) -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with RunStore(Path(".dwh/runs.db")) as store:
            detail = RunDetailScreen(store, RUN)
            await app.push_screen(detail)
            detail.query_one("#detail-tabs", TabbedContent).active = "detail-diff"
            view = detail.query_one(DiffView)
            await wait_for(pilot, lambda: view.summaries is not None)
            assert view.summaries is not None
            assert view.summaries["images"].startswith("images: 40 → 36 rows (-4)")
            view.focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.found)
            assert app.screen.output_names == ["images"]


def test_diff_screen_snapshot(snap_compare, changed_output) -> None:
    async def run_before(pilot) -> None:
        await _open_keyed_diff(pilot)

    assert snap_compare(_app(), terminal_size=SIZE, run_before=run_before)


async def test_the_diff_screen_has_a_tab_per_output(changed_output) -> None:
    commit_version(Path("out/rejects"), [{"raw": "a"}, {"raw": "b"}])
    commit_version(Path("out/rejects"), [{"raw": "a"}])
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        with RunStore(Path(".dwh/runs.db")) as store:
            outputs = {"images": "out/images", "rejects": "out/rejects"}
            record_succeeded_run(store, "R9", "sample", outputs, minute="2026-11-25T19:00")
        screen = DiffScreen("R9", ["images", "rejects"])
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.found is not None)
        assert screen.found.output == "images"
        screen.query_one(Tabs).active = "diff-1"
        await wait_for(pilot, lambda: screen.found is not None and screen.found.output == "rejects")
        assert (screen.found.old.rows, screen.found.new.rows) == (2, 1)
        assert "rejects: 2 → 1 rows (-1)" in _plain(screen.query_one("#diff-head", Static))


@pytest.mark.spark
async def test_a_warm_run_then_an_edit_then_a_warm_run_shows_what_changed(
    make_app, warm_server, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real runs on the suite's private server, through the real launcher."""
    monkeypatch.syspath_prepend(str(DIFF_FIXTURES))
    from diffwarm.edit import copy_package, set_version
    from diffwarm.images.expected import summary_line

    root = copy_package(isolated_home / "pkgs")
    monkeypatch.setenv("PYTHONPATH", f"{root}:{os.environ['PYTHONPATH']}")
    monkeypatch.setenv("DWH_JOB_PACKAGES", "diffwarm")
    app = make_app(packages=("diffwarm",))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: f"Spark server at {warm_server.url}" in app.screen.title)
        console = app.screen.query_one(RunConsole)
        await open_job(pilot, "images")
        app.screen.query_one(ConfigEditor).set_text('{"output_path": "out/images"}')
        await pilot.pause()
        for version in ("v1", "v2"):
            set_version(root, version)
            await pilot.press("ctrl+j")
            await wait_for(
                pilot, lambda: console.status not in ("idle", "starting", "running"), 180
            )
            assert console.status == "succeeded", console.message
            if version == "v1":
                await app.workers.wait_for_complete()
                assert not [e for e in console.entries if e.startswith("diff: ")]
        await wait_for(pilot, lambda: any(e.startswith("diff: ") for e in console.entries), 60)
        assert [e for e in console.entries if e.startswith("diff: ")] == [f"diff: {summary_line()}"]

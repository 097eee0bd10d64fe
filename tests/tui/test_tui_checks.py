"""Output checks in the TUI: real warm runs of transform_images on the suite's server.

A run whose declared checks pass shows them passed in the run console; a run whose
config adds a failing check shows it failed with its count, ``f`` opens its sample rows
in the preview table, and the History drill-down shows the same checks (and ``f`` there
too). A snapshot shows the failing rows of the real run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static, TabbedContent
from tui_helpers import SIZE, open_job, wait_for

from dwh.events import RunStatus
from dwh.spark.status import ServerStatus
from tui.screens.preview import PreviewScreen
from tui.screens.run_detail import RunDetailScreen
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole

pytestmark = pytest.mark.spark

CAMERAS = ("Pixel 8", "Pixel 8", "Canon R5")
FAILING = {
    "output_path": [
        {"accepted_values": {"column": "camera", "values": ["Canon R5"]}},
        {"expression": "width > 10", "severity": "warn"},
    ]
}


def _raw(folder: Path) -> Path:
    lines = [
        {"image_id": f"img-{n}", "url": f"https://x.example/{n}.jpg", "sha256": f"{n:064x}",
         "width": 10 + n, "height": 20, "captured_at": "2026-11-25T06:00:00Z", "camera": camera}
        for n, camera in enumerate(CAMERAS)
    ]  # fmt: skip
    raw = folder / "raw.jsonl"
    raw.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return raw


def _config(folder: Path, checks: dict | None = None) -> str:
    config: dict = {"raw_path": str(_raw(folder)), "output_path": "out/images"}
    if checks:
        config["output_checks"] = checks
    return json.dumps(config)


async def _run(pilot, text: str, status: str) -> RunConsole:
    app = pilot.app
    console = app.screen.query_one(RunConsole)
    app.screen.query_one(ConfigEditor).set_text(text)
    await pilot.pause()
    await pilot.press("ctrl+j")
    await wait_for(pilot, lambda: console.status not in ("idle", "starting", "running"), 180)
    assert console.status == status, console.message
    return console


def _plain(widget: Static) -> str:
    return str(getattr(widget.content, "plain", widget.content))


async def test_a_run_whose_checks_pass_shows_them_passed(
    make_app, warm_server: ServerStatus, isolated_home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: f"Spark server at {warm_server.url}" in app.screen.title)
        await open_job(pilot, "transform_images")
        console = await _run(pilot, _config(isolated_home), RunStatus.SUCCEEDED)
        heads = [e for e in console.entries if "checks  " in e]
        assert [h.split("  ", 1)[1].strip() for h in heads] == [
            "✓ checks  output_path  2 passed",
            "✓ checks  rejects_path  1 passed",
        ]
        assert any(
            e.strip().startswith("passed  unique(image_id)  0 failing rows")
            for e in console.entries
        )
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, PreviewScreen)
        assert app.screen.active_bindings["f"].enabled is False, "greyed out: no failing rows"


async def test_a_failing_check_shows_its_count_and_f_opens_its_rows(
    make_app, warm_server: ServerStatus, isolated_home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: f"Spark server at {warm_server.url}" in app.screen.title)
        await open_job(pilot, "transform_images")
        console = await _run(pilot, _config(isolated_home, FAILING), RunStatus.FAILED)
        assert "1 output check failed, nothing was published" in console.message
        assert any(
            "✘ checks  output_path  2 passed, 1 warned, 1 failed" in e for e in console.entries
        )
        check, warn = "accepted_values(camera)", "expression(width > 10)"
        assert any(e.strip() == f"failed  {check}  2 failing rows" for e in console.entries)
        assert any(e.strip() == f"warned  {warn}  1 failing row" for e in console.entries)
        assert "press f to see the failing rows" in console.entries
        assert not Path("out/images").exists()

        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        preview = app.screen
        await wait_for(pilot, lambda: preview.preview is not None or preview.error != "")
        assert list(preview.outputs) == [f"output_path · {check}", f"output_path · {warn}"]
        assert preview.current == f"output_path · {check}"
        assert preview.preview.row_count == 2
        assert [row["camera"] for row in preview.preview.rows] == ["Pixel 8", "Pixel 8"]
        table = preview.query_one("#preview-table", DataTable)
        assert table.row_count == 2
        assert "2 failing rows" in _plain(preview.query_one("#preview-summary", Static))
        await pilot.press("escape")

        # The History drill-down reads the same checks from the run store.
        await pilot.press("f6")
        await pilot.pause()
        history = app.screen.query_one("#history-detail")
        assert history is not None
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        detail = app.screen
        timeline = detail.query_one("#detail-events", DataTable)
        cells = [[str(c) for c in timeline.get_row_at(i)] for i in range(timeline.row_count)]
        audited = [row[3] for row in cells if row[2] == "checks_finished"]
        assert audited == ["output_path: 2 passed, 1 warned, 1 failed", "rejects_path: 1 passed"]
        detail.query_one("#detail-tabs", TabbedContent).active = "detail-checks"
        await pilot.pause()
        checks = detail.query_one("#detail-check-table", DataTable)
        rows = [[str(c) for c in checks.get_row_at(i)] for i in range(checks.row_count)]
        assert [r[1:] for r in rows if r[0] == "output_path"] == [
            ["unique(image_id)", "error", "passed", "0"],
            [
                "not_null(image_id, url, content_hash, width, height, captured_at)",
                "error",
                "passed",
                "0",
            ],
            [check, "error", "failed", "2"],
            [warn, "warn", "warned", "1"],
        ]
        head = _plain(detail.query_one("#detail-checks-head", Static))
        assert "output_path: 2 passed, 1 warned, 1 failed" in head
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await wait_for(pilot, lambda: app.screen.preview is not None)
        assert app.screen.preview.row_count == 2


def test_snapshot_of_a_failed_checks_rows(
    snap_compare, warm_server: ServerStatus, make_app, isolated_home: Path
) -> None:
    from textual.widgets import TextArea

    async def run_before(pilot) -> None:
        await wait_for(
            pilot, lambda: f"Spark server at {warm_server.url}" in (pilot.app.screen.title or "")
        )
        await open_job(pilot, "transform_images")
        await _run(pilot, _config(isolated_home, FAILING), RunStatus.FAILED)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PreviewScreen))
        await wait_for(pilot, lambda: pilot.app.screen.preview is not None)
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)

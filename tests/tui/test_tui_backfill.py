"""The backfill dialog (f7): preview through the dry run, bad input, a run, cancel, snapshot.

The dates run as real child processes of the no-Spark ``dated`` test job (one file per
date), through the generic entry, into a real run store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import SUPPORT_DIR
from textual.widgets import Button, DataTable, Input, ProgressBar, Select, TextArea
from tui_helpers import SIZE, TEST_PACKAGES, Counter, open_job, wait_for, wait_until_ready

from dwh.events import RunStatus
from dwh.runs.store import RunStore
from tui.app import DwhApp
from tui.screens.backfill import BackfillScreen
from tui.screens.help import binding_rows
from tui.widgets.config_editor import ConfigEditor

PACKAGES = (*TEST_PACKAGES, "dwh_test_jobs")
DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"]
CLI = "import sys; from dwh.cli import main; sys.exit(main())"


@pytest.fixture(autouse=True)
def dated_job(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ``dated`` test job registered here and in the dates' child processes."""
    import os

    monkeypatch.setenv("DWH_JOB_PACKAGES", ",".join(PACKAGES))
    monkeypatch.setenv("DWH_LOCK_DIR", str(isolated_home / "locks"))
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("PYTHONPATH", f"{SUPPORT_DIR}:{os.environ['PYTHONPATH']}")
    return isolated_home


def template(**extra: Any) -> str:
    """A ``dated`` config template: one file per date under ``out/<year>/<month>``."""
    return json.dumps({"out_dir": "out/{run_date:%Y/%m}", **extra}, indent=2)


def make_app(packages: tuple[str, ...] = PACKAGES) -> DwhApp:
    return DwhApp(run_ids=Counter(), packages=packages)


async def open_dialog(pilot: Any, config: str) -> BackfillScreen:
    """Open the ``dated`` job, put ``config`` in the editor, press f7."""
    await open_job(pilot, "dated")
    pilot.app.screen.query_one(ConfigEditor).set_text(config)
    await pilot.pause()
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BackfillScreen))
    screen = pilot.app.screen
    assert isinstance(screen, BackfillScreen)
    return screen


async def set_range(
    pilot: Any, screen: BackfillScreen, start: str, end: str, *, field: str | None = None
) -> None:
    """Type the range (and the date field) and wait for the new plan or message."""
    screen.query_one("#bf-from", Input).value = start
    screen.query_one("#bf-to", Input).value = end
    if field is not None:
        screen.query_one("#bf-field", Input).value = field
    await settle(pilot)


async def settle(pilot: Any) -> None:
    """Let the screen plan again after a change."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def table_rows(screen: BackfillScreen) -> list[list[str]]:
    table: DataTable[Any] = screen.query_one("#bf-dates", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def start_disabled(screen: BackfillScreen) -> bool:
    return screen.query_one("#bf-start", Button).disabled


def runs(tmp: Path) -> list[Any]:
    path = tmp / ".dwh" / "runs.db"
    if not path.is_file():
        return []
    with RunStore(path) as store:
        return store.runs(job="dated", limit=100)[::-1]


async def test_the_preview_lists_the_dates_and_runs_nothing(dated_job: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        main = pilot.app.screen
        assert "dwh.backfill" in {row[1] for row in binding_rows(pilot.app.active_bindings)}
        assert "Backfill the current job" in [c[0] for c in main.palette_commands()]
        screen = await open_dialog(pilot, template())
        assert start_disabled(screen)
        assert "Enter from and to" in screen.message
        await pilot.press(*"2026-11-01", "tab", *"2026-11-03")
        await wait_for(pilot, lambda: screen.plan is not None)
        await pilot.pause()
        assert [row[:3] for row in table_rows(screen)] == [[d, "never", "run"] for d in DAYS]
        assert screen.message.startswith("3 dates: 3 to run, 0 skipped")
        assert not start_disabled(screen)
        # The highlighted date's resolved config: the date field set, the path filled.
        screen.query_one("#bf-dates", DataTable).focus()
        await pilot.press("down")
        shown = str(screen.query_one("#bf-config").render())
        assert '2026-11-02 runs with {"out_dir": "out/2026/11"' in shown
        assert '"run_date": "2026-11-02"' in shown
        # Backwards: newest first.
        screen.query_one("#bf-backwards").toggle()  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert [row[0] for row in table_rows(screen)] == DAYS[::-1]
    assert not (dated_job / "out").exists()
    assert not (dated_job / ".dwh" / "runs.db").exists()


def cli_error(root: Path, config: str, *args: str) -> str:
    """The one line ``dwh backfill dated`` prints for bad input (exit 2)."""
    import os

    done = subprocess.run(
        [sys.executable, "-c", CLI, "backfill", "dated", "-c", config, *args, "--dry-run"],
        cwd=root,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert line.startswith("dwh: error: ")
    return line.removeprefix("dwh: error: ")


@pytest.mark.parametrize(
    ("start", "end", "field", "config", "says"),
    [
        ("2026-11-03", "2026-11-01", None, None, "--to 2026-11-01 is before --from 2026-11-03"),
        ("2026-13-01", "2026-11-01", None, None, "--from must be a date as YYYY-MM-DD"),
        ("2026-11-01", "2026-11-03", "day", None, "day"),
        ("2026-11-01", "2026-11-03", None, "out/{date}", "placeholder {date} names no date field"),
    ],
    ids=["from-after-to", "bad-date", "no-date-field", "bad-placeholder"],
)
async def test_bad_input_shows_the_commands_message_and_disables_start(
    dated_job: Path, start: str, end: str, field: str | None, config: str | None, says: str
) -> None:
    text = template(**({"out_dir": config} if config else {}))
    extra = ["--date-field", field] if field else []
    expected = cli_error(dated_job, text, "--from", start, "--to", end, *extra)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, text)
        if config:  # a bad template is bad whatever the range
            await set_range(pilot, screen, start, end)
            assert screen.message == expected
            assert start_disabled(screen)
            return
        await set_range(pilot, screen, *DAYS[::2])
        assert not start_disabled(screen)
        await set_range(pilot, screen, start, end, field=field)
        assert screen.message == expected
        assert says in screen.message
        assert screen.query_one("#bf-message").has_class("error")
        assert start_disabled(screen)
        assert table_rows(screen) == []
        await pilot.press("ctrl+j")  # the key is greyed out too: nothing starts
        await pilot.pause()
        assert screen.result is None and not screen.running
    assert runs(dated_job) == []


async def test_a_backfill_of_three_dates_runs_each_once(dated_job: Path) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, template(label="abcd"))
        await set_range(pilot, screen, DAYS[0], DAYS[-1])
        await pilot.click("#bf-start")
        await wait_for(pilot, lambda: screen.result is not None, timeout=120)
        await pilot.pause()
        rows = table_rows(screen)
        assert [row[0] for row in rows] == DAYS
        assert [row[3] for row in rows] == ["succeeded"] * 3
        assert [row[5] for row in rows] == ["4"] * 3  # output rows: len("abcd")
        assert all(float(row[4]) > 0 for row in rows)
        progress = screen.query_one("#bf-progress", ProgressBar)
        assert (progress.progress, progress.total) == (3, 3)
        assert screen.result is not None and screen.result.exit_code == 0
        backfill_id = screen.result.backfill_id
        assert backfill_id.startswith("bf-run-")
        assert f"Backfill {backfill_id} finished" in screen.message
        assert "3 succeeded" in screen.message
        assert start_disabled(screen)  # a new plan first: change a field
        # Planned again, the dates are done: reprocess none skips them, all runs them.
        screen.query_one("#bf-reprocess", Select).value = "none"
        await settle(pilot)
        assert [row[1:3] for row in table_rows(screen)] == [["succeeded", "skip"]] * 3
        assert screen.message.startswith("3 dates: 0 to run, 3 skipped (reprocess none)")
        assert start_disabled(screen)
        screen.query_one("#bf-reprocess", Select).value = "all"
        await settle(pilot)
        assert [row[1:3] for row in table_rows(screen)] == [["succeeded", "run"]] * 3
        assert not start_disabled(screen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, BackfillScreen)
    recorded = runs(dated_job)
    assert [r.config["run_date"] for r in recorded] == DAYS
    assert {r.status for r in recorded} == {RunStatus.SUCCEEDED}
    assert {r.backfill_id for r in recorded} == {backfill_id}
    for day in DAYS:
        assert (dated_job / "out" / "2026" / "11" / f"{day}.txt").read_text() == "abcd"
    assert (dated_job / ".dwh" / "backfills" / f"{backfill_id}.log").is_file()


@pytest.mark.parametrize("keep_going", [False, True], ids=["stops", "keep-going"])
async def test_a_failed_date_stops_the_backfill_unless_keep_going(
    dated_job: Path, keep_going: bool
) -> None:
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, template(fail_on=[DAYS[1]]))
        await set_range(pilot, screen, DAYS[0], DAYS[-1])
        if keep_going:
            await pilot.click("#bf-keep-going")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: screen.result is not None, timeout=120)
        await pilot.pause()
        last = "succeeded" if keep_going else "not run"
        assert [row[3] for row in table_rows(screen)] == ["succeeded", "failed", last]
        assert screen.result is not None and screen.result.exit_code == 1
        assert screen.query_one("#bf-message").has_class("error")
        assert "1 failed" in screen.message and "(exit 1)" in screen.message
    ran = [r.config["run_date"] for r in runs(dated_job)]
    assert ran == (DAYS if keep_going else DAYS[:2])


async def test_cancel_stops_the_backfill(dated_job: Path) -> None:
    order = dated_job / "out" / "2026" / "11" / "order.log"
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, template(sleep_seconds=30))
        await set_range(pilot, screen, DAYS[0], DAYS[-1])
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: screen.running)
        assert screen.query_one("#bf-cancel", Button).disabled is False
        await wait_for(pilot, order.is_file, timeout=60)  # the first date is in its job
        await pilot.press("escape")  # closing is refused while it runs
        await pilot.pause()
        assert pilot.app.screen is screen
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.result is not None, timeout=60)
        await pilot.pause()
        assert screen.result is not None
        assert screen.result.cancelled and screen.result.exit_code == 130
        assert [row[3] for row in table_rows(screen)] == ["cancelled", "not run", "not run"]
        assert "cancelled" in screen.message
    recorded = runs(dated_job)
    assert [(r.config["run_date"], r.status) for r in recorded] == [(DAYS[0], RunStatus.CANCELLED)]
    assert not (dated_job / "out" / "2026" / "11" / f"{DAYS[0]}.txt").exists()


# At 80x24 too, the usual default terminal (issue 28 item 19): everything fits.
@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["wide", "80x24"])
def test_snapshot_of_the_dialog(snap_compare: Any, dated_job: Path, size) -> None:
    async def run_before(pilot: Any) -> None:
        screen = await open_dialog(pilot, template())
        await set_range(pilot, screen, DAYS[0], DAYS[-1])
        for widget in screen.query(Input):
            widget.cursor_blink = False
        for area in pilot.app.query(TextArea):
            area.cursor_blink = False
        # The last plan in the table (its column widths follow the rows), and the
        # footers' redraw done, under load too.
        table = screen.query_one("#bf-dates", DataTable)
        await wait_for(pilot, lambda: screen.plan is not None and table.row_count == len(DAYS))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    # The test jobs only, so other packages' new jobs never change this picture.
    app = make_app(packages=("dwh_test_jobs",))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_corrupt_run_store_is_a_message_not_a_crash(dated_job: Path) -> None:
    store = dated_job / ".dwh" / "runs.db"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(b"not a database" * 100)
    async with make_app().run_test(size=SIZE) as pilot:
        screen = await open_dialog(pilot, template())
        await set_range(pilot, screen, DAYS[0], DAYS[-1])
        assert "is unusable" in screen.message
        assert start_disabled(screen)


async def test_the_palette_opens_the_dialog_and_f7_needs_a_job(dated_job: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        await pilot.press("f7")
        await pilot.pause()
        assert not isinstance(app.screen, BackfillScreen)
        assert any("Pick a job first" in n.message for n in app._notifications)
        await open_job(pilot, "dated")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"backfill the current")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BackfillScreen))
        screen = app.screen
        assert isinstance(screen, BackfillScreen) and screen.job == "dated"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BackfillScreen)

"""Every screen at 80x24, the usual default terminal (issue 28 item 19).

Snapshots of the main screen, the preview, the run drill-down (the backfill dialog's
is in test_tui_backfill.py), and Pilot checks of what a snapshot can't say: the
footer's keys, uncut buttons and descriptions, and the preview's schema pane hidden
by ctrl+b with Right scrolling the columns.
"""

from __future__ import annotations

from textual.widgets import DataTable
from tui_helpers import (
    Counter,
    FrozenClock,
    ReplayLauncher,
    open_job,
    steady,
    wait_for,
    wait_until_ready,
)

from dwh.spark.status import ServerStatus
from tui.app import DwhApp
from tui.screens.preview import PreviewScreen
from tui.screens.run_detail import RunDetailScreen
from tui.spark_server import SparkServer

NARROW = (80, 24)
PACKAGES = ("tuijobs",)


def _server_off() -> ServerStatus:
    return ServerStatus(running=False)


# The header says the server is off whatever runs on this machine (the suite's own
# warm server may, after the warm tests).
OFF = SparkServer(status=_server_off)


def _app(packages: tuple[str, ...] = PACKAGES) -> DwhApp:
    clock = FrozenClock()
    return DwhApp(
        launcher=ReplayLauncher([], 0, clock, seconds=1.0),
        clock=clock,
        run_ids=Counter("20261125T183000Z"),
        packages=packages,
        spark=OFF,
    )


_steady = steady


async def _open_preview(pilot) -> PreviewScreen:
    app = pilot.app
    await wait_until_ready(pilot)
    await pilot.press("f6")
    await wait_for(pilot, lambda: app.screen.query_one("#history-table", DataTable).row_count == 2)
    app.screen.query_one("#history-table", DataTable).focus()
    await pilot.press("down", "p")
    await wait_for(
        pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview is not None
    )
    return app.screen


def test_main_screen_at_80x24(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=NARROW, run_before=run_before)


def test_config_tab_at_80x24(snap_compare):
    async def run_before(pilot) -> None:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=NARROW, run_before=run_before)


def test_preview_at_80x24(snap_compare, image_store):
    async def run_before(pilot) -> None:
        await _open_preview(pilot)
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=NARROW, run_before=run_before)


def test_run_drill_down_at_80x24(snap_compare, image_store):
    async def run_before(pilot) -> None:
        await wait_until_ready(pilot)
        await pilot.press("f6")
        await wait_for(
            pilot, lambda: pilot.app.screen.query_one("#history-table", DataTable).row_count == 2
        )
        pilot.app.screen.query_one("#history-table", DataTable).focus()
        await pilot.press("down", "d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunDetailScreen))
        await _steady(pilot)

    assert snap_compare(_app(), terminal_size=NARROW, run_before=run_before)


def _footer_keys(screen) -> list[tuple[str, str, int]]:
    from textual.widgets._footer import FooterKey

    keys = [k for k in screen.query(FooterKey) if "-command-palette" not in k.classes]
    return [(k.key_display, k.description, k.region.right) for k in keys]


def _palette_left(screen) -> int:
    from textual.widgets._footer import FooterKey

    return next(k for k in screen.query(FooterKey) if "-command-palette" in k.classes).region.x


async def test_the_footer_fits_80_columns_with_every_key_of_the_tab():
    from tui_helpers import noop_events

    clock = FrozenClock()
    items = noop_events("20261125T183000Z-0001", job="sample")
    app = DwhApp(
        launcher=ReplayLauncher(items, 0, clock, seconds=3.0),
        clock=clock,
        run_ids=Counter("20261125T183000Z"),
        packages=PACKAGES,
        spark=OFF,
    )
    async with app.run_test(size=NARROW) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        await pilot.pause()
        keys = _footer_keys(app.screen)
        shown = [key for key, _, _ in keys]
        for key in ("f1", "f2", "^j", "^s", "^o", "^n", "^l", "^r"):
            assert key in shown, shown
        assert max(right for _, _, right in keys) <= _palette_left(app.screen)
        await pilot.press("ctrl+j")
        console = app.screen.query_one("#console")
        await wait_for(pilot, lambda: console.status == "succeeded")
        await pilot.pause()
        keys = _footer_keys(app.screen)
        assert ("p", "Preview") in [(key, text) for key, text, _ in keys]
        assert max(right for _, _, right in keys) <= _palette_left(app.screen)


async def test_buttons_and_field_descriptions_are_whole_at_80x24():
    from textual.widgets import Button, Static

    async with _app().run_test(size=NARROW) as pilot:
        await open_job(pilot, "sample")
        group = pilot.app.screen.query_one("#job-schema", Static).content
        schema = "\n".join(getattr(part, "plain", "") for part in group.renderables)
        for description in ("Where the rows come from.", "Token for the source, if it needs one."):
            assert description in schema
        await pilot.press("f4")
        await pilot.pause()
        for button in pilot.app.screen.query("#tab-config Button").results(Button):
            assert button.region.right <= NARROW[0], button.label
            assert button.region.width >= len(str(button.label)), button.label


async def test_the_preview_hides_its_schema_with_ctrl_b_and_right_scrolls(image_store):
    async with _app().run_test(size=NARROW) as pilot:
        screen = await _open_preview(pilot)
        side = screen.query_one("#preview-side")
        table = screen.query_one("#preview-table", DataTable)
        assert side.region.width == 24
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not side.display and table.region.width >= NARROW[0] - 1
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert side.display
        table.focus()
        await pilot.press(*["right"] * 4)
        await pilot.pause()
        assert table.cursor_column == 4
        assert table.scroll_x > 0, "the last column is scrolled into view"


async def test_the_production_commands_dialog_is_whole_at_80x24():
    from textual.widgets import Label

    from tui.screens.dialogs import CommandsScreen
    from tui.widgets.config_editor import ConfigEditor

    async with _app().run_test(size=NARROW) as pilot:
        await open_job(pilot, "sample")
        config = '{"source_path": "s3://bucket/in", "api_token": "hunter2"}'
        pilot.app.screen.query_one(ConfigEditor).set_text(config)
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandsScreen))
        await pilot.pause()
        labels = list(pilot.app.screen.query(Label))
        assert any("secret values are hidden" in str(label.content) for label in labels)
        for label in labels:
            text = str(label.content)
            assert label.region.right <= NARROW[0]
            assert label.region.width * label.region.height >= len(text), text

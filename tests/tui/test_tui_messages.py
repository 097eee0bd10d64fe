"""Widgets ask, the screen navigates: a widget posts a message, its screen opens the screen.

On a bare host app the widgets' keys post their messages and push nothing; in the
real app the main screen turns each message into the right screen.
"""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable
from tui_helpers import IMAGES_RUN as RUN
from tui_helpers import SIZE, FrozenClock, ReplayLauncher, wait_for, wait_until_ready

from dwh.events import Event, EventName
from dwh.registry import find_job
from dwh.runs.store import RunStore
from tui.app import DwhApp
from tui.config_files import ConfigLibrary
from tui.screens.dialogs import CommandsScreen, OpenConfigScreen, SaveConfigScreen
from tui.screens.preview import PreviewScreen
from tui.screens.run_detail import RunDetailScreen
from tui.widgets.config_panel import ConfigPanel
from tui.widgets.history_view import HistoryView
from tui.widgets.messages import PreviewRequested
from tui.widgets.run_console import RunConsole


class _Host(App[None]):
    """One widget on the default screen; the app notes the messages that reach it."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget
        self.seen: list[Message] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    @on(PreviewRequested)
    @on(HistoryView.OpenRun)
    @on(ConfigPanel.SaveConfigRequested)
    @on(ConfigPanel.CommandsRequested)
    def _note(self, message: Message) -> None:
        self.seen.append(message)


async def test_the_history_views_keys_post_messages_and_push_no_screen(
    image_store, outputs
) -> None:
    view = HistoryView(id="history")
    host = _Host(view)
    async with host.run_test(size=SIZE) as pilot:
        store = RunStore(image_store, create=False)
        view.load(store)
        view.query_one(DataTable).focus()
        await pilot.press("down")  # the older run, which recorded outputs
        await wait_for(pilot, lambda: view.selected is not None and view.selected.run_id == RUN)
        await pilot.press("p", "d")
        await wait_for(pilot, lambda: len(host.seen) == 2)
        preview, open_run = host.seen
        assert isinstance(preview, PreviewRequested)
        assert (preview.outputs, preview.title) == (outputs, f"run {RUN}")
        assert isinstance(open_run, HistoryView.OpenRun)
        assert (open_run.store, open_run.run_id) == (store, RUN)
        assert len(host.screen_stack) == 1


async def test_the_run_consoles_key_posts_a_preview_request(outputs) -> None:
    clock = FrozenClock()
    console = RunConsole(launcher=ReplayLauncher([], 0, clock, 0.0), clock=clock, id="console")
    host = _Host(console)
    async with host.run_test(size=SIZE) as pilot:
        console.start("transform_images", RUN)
        console.add_event(_succeeded(outputs))
        console.finish("succeeded")
        console.query_one("#run-lifecycle").focus()
        await pilot.press("p")
        await wait_for(pilot, lambda: len(host.seen) == 1)
        (preview,) = host.seen
        assert isinstance(preview, PreviewRequested)
        assert (preview.outputs, preview.title) == (outputs, f"run {RUN}")
        assert len(host.screen_stack) == 1


async def test_the_config_panel_asks_for_a_name_and_saves_under_the_answer(isolated_home) -> None:
    library = ConfigLibrary(isolated_home / "configs")
    panel = ConfigPanel(library=library)
    host = _Host(panel)
    job = find_job("noop", ["dwh.jobs"])
    async with host.run_test(size=SIZE) as pilot:
        panel.editor.load(None, "noop", '{"message": "hi"}', "typed")
        panel.save(job)
        await wait_for(pilot, lambda: len(host.seen) == 1)
        (ask,) = host.seen
        assert isinstance(ask, ConfigPanel.SaveConfigRequested)
        assert (ask.panel, ask.job) == (panel, "noop")
        assert (ask.folder, ask.default) == (str(library.folder("noop")), "config")
        assert len(host.screen_stack) == 1
        ask.panel.save_as(ask.job, "mine")  # what the screen's dialog calls back with
        saved = library.folder("noop") / "mine.json"
        assert saved.read_text(encoding="utf-8") == '{"message": "hi"}\n'


async def _history_on_the_images_run(pilot) -> None:
    main = pilot.app.screen
    await wait_until_ready(pilot)
    await pilot.press("f6", "down")  # the older run, which recorded outputs
    view = main.query_one(HistoryView)
    await wait_for(pilot, lambda: view.selected is not None and view.selected.run_id == RUN)


async def test_the_main_screen_opens_the_preview_the_history_and_the_console_ask_for(
    image_store, outputs
) -> None:
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        await _history_on_the_images_run(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        assert (app.screen.outputs, app.screen.heading) == (outputs, f"run {RUN}")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)

        console = main.query_one(RunConsole)
        console.start("transform_images", "20261125T190000Z-msg002")
        console.add_event(_succeeded({"images": outputs["output_path"]}))
        console.finish("succeeded")
        main.action_show_tab("tab-run")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen))
        assert app.screen.outputs == {"images": outputs["output_path"]}
        assert app.screen.heading == "run 20261125T190000Z-msg002"


async def test_the_main_screen_opens_the_run_the_history_asks_for(image_store) -> None:
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        await _history_on_the_images_run(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, RunDetailScreen))
        assert app.screen.run_id == RUN
        assert app.screen.record.job == "transform_images"


async def test_the_main_screen_opens_the_dialogs_the_config_panel_asks_for(isolated_home) -> None:
    app = DwhApp(packages=("tuijobs",))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until_ready(pilot)
        main = app.screen
        panel = main.query_one(ConfigPanel)

        panel.post_message(ConfigPanel.CommandsRequested("run --secret s3cr3t", shown="run ***"))
        await wait_for(pilot, lambda: isinstance(app.screen, CommandsScreen))
        assert (app.screen.text, app.screen.shown) == ("run --secret s3cr3t", "run ***")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)

        folder = str(isolated_home / "configs" / "sample")
        panel.post_message(ConfigPanel.SaveConfigRequested(panel, "sample", folder, "mine"))
        await wait_for(pilot, lambda: isinstance(app.screen, SaveConfigScreen))
        assert (app.screen.folder, app.screen.default) == (folder, "mine")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main)

        await pilot.press("ctrl+f", *"sample", "enter")
        await wait_for(pilot, lambda: main.detail is not None)
        detail = main.detail
        choices = [f"example: {name}" for name in detail.examples]
        panel.post_message(ConfigPanel.OpenConfigRequested(panel, detail, "pick one", choices))
        await wait_for(pilot, lambda: isinstance(app.screen, OpenConfigScreen))
        assert (app.screen.title_text, app.screen.choices) == ("pick one", choices)


def _succeeded(outputs: dict[str, str]) -> Event:
    return Event(
        EventName.JOB_SUCCEEDED,
        job="transform_images",
        run_id=RUN,
        payload={"metrics": {}, "outputs": outputs},
    )

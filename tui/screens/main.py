"""The workspace: job tree on the left; job, config, run and history tabs on the right.

The screen is given its services (:class:`tui.services.Services`) and composes
widgets that own their work: the job browser lists, the config editor validates, the
run console runs and follows a job through the launcher. The screen holds the job in
hand and wires the widgets' messages to each other; it also opens the screens the
widgets ask for (a preview, a run's detail, the config dialogs), so widgets never
import screens. Its palette commands live here (``COMMANDS``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    TabbedContent,
    TabPane,
    Tree,
)

from dwh.config import FRAMEWORK_FIELDS
from dwh.events import RunStatus
from dwh.launch import RunRequest
from dwh.redaction import REDACTED
from tui.config_files import pretty_json
from tui.history import close_store, open_run_store
from tui.palette import Command, ScreenCommands
from tui.screens.dialogs import OpenConfigScreen
from tui.screens.help import help_screen
from tui.screens.main_keys import MAIN_BINDINGS, action_commands, shows_key
from tui.screens.opener import OpensScreens
from tui.spark_server import status_text
from tui.validation import parse_valid
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.config_panel import ConfigPanel
from tui.widgets.footer import NARROW_WIDTH, DwhFooter
from tui.widgets.history_view import HistoryView
from tui.widgets.job_browser import JobBrowser
from tui.widgets.job_detail import JobDetailView
from tui.widgets.run_console import RunConsole

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.binding import BindingType
    from textual.command import Provider

    from dwh.launch import Outcome
    from dwh.registry import JobInfo
    from tui.catalog import JobDetail
    from tui.services import Services

_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
SERVER_POLL_SECONDS = 3.0
"""How often the header re-reads the local Spark server's state."""


@dataclass(frozen=True)
class _PendingConfig:
    """A config to load once the job's detail has arrived, and whether to run it."""

    text: str
    source: str
    run: bool = False


class MainScreen(OpensScreens):
    """Browse jobs, edit a config, run it and watch it, look back at earlier runs.

    Selecting a job imports its factory module in a thread, so a slow or broken module
    never blocks the UI; the config editor is filled once the detail has arrived.

    Args:
        services: The launcher, the job catalog, the config library, the clock.
    """

    COMMANDS: ClassVar[set[type[Provider] | Any]] = {ScreenCommands}
    HORIZONTAL_BREAKPOINTS = _BREAKPOINTS
    """Below 100 columns the job tree narrows and the validation panel goes under the
    editor (``dwh.tcss``), so a config line stays readable at 80x24."""
    BINDINGS: ClassVar[list[BindingType]] = list(MAIN_BINDINGS)

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.job: JobInfo | None = None
        self.detail: JobDetail | None = None
        self.drafts: dict[str, tuple[str, str]] = {}
        self.last_request: RunRequest | None = None
        self._pending: _PendingConfig | None = None
        self._controls: tuple[bool, bool] | None = None
        self._narrow: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="workspace"):
            yield JobBrowser(id="browser")
            with TabbedContent(id="tabs", initial="tab-job"):
                with TabPane("Job f3", id="tab-job"):
                    yield JobDetailView(id="detail")
                with TabPane("Config f4", id="tab-config"):
                    yield ConfigPanel(library=self.services.library)
                with TabPane("Run f5", id="tab-run"):
                    with Vertical():
                        yield RunConsole(
                            id="console",
                            launcher=self.services.launcher,
                            clock=self.services.clock,
                            on_finished=self._run_finished,
                            spark=self.services.spark,
                        )
                        with Horizontal(classes="buttons"):
                            yield Button("Cancel run (ctrl+t)", id="cancel", variant="error")
                with TabPane("History f6", id="tab-history"):
                    yield HistoryView(id="history")
        yield DwhFooter()

    def on_mount(self) -> None:
        """List the jobs and the run history."""
        self.query_one(JobBrowser).set_jobs(self.services.catalog.refresh())
        self.query_one("#job-tree", Tree).focus()
        self.refresh_history()
        self._sync_controls()
        self.title = f"dwh · {status_text(self.services.spark.status())}"
        self.set_interval(SERVER_POLL_SECONDS, self._poll_server)

    @work(thread=True, exclusive=True, group="spark-status", exit_on_error=False)
    def _poll_server(self) -> None:
        # Files and /proc only (no pyspark): cheap, but kept off the UI thread.
        text = f"dwh · {status_text(self.services.spark.status())}"
        self.app.call_from_thread(setattr, self, "title", text)

    def palette_commands(self) -> list[Command]:
        """The ``ctrl+p`` commands: the actions, then "Open job X" for every job."""
        commands = action_commands(self)
        for job in self.services.catalog.jobs:
            commands.append((f"Open job {job.name}", partial(self.open_job, job), job.description))
        return commands

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {
            "run": self.action_run,
            "save": self.action_save,
            "open": self.action_open,
            "copy": self.action_copy_commands,
            "cancel": self.action_cancel,
        }
        if event.button.id in actions:
            actions[event.button.id]()

    # -- the job in hand ------------------------------------------------------------

    def on_job_browser_job_selected(self, event: JobBrowser.JobSelected) -> None:
        """Show the picked job and load its config into the editor."""
        self.open_job(event.job)

    def open_job(
        self, job: JobInfo, *, text: str | None = None, source: str = "", run: bool = False
    ) -> None:
        """Select a job; ``text`` (a config) replaces the default config if given.

        With ``run``, the job runs with ``text`` once it is loaded, if it is valid.
        """
        if self.job is not None and self.detail is not None and self.detail.usable:
            self.drafts[self.job.module] = (self.query_one(ConfigEditor).text, "draft")
        self.job, self.detail = job, None
        if text is not None:
            self._pending = _PendingConfig(text, source, run)
        self.query_one(JobDetailView).show_loading(job)
        self.sub_title = job.name
        self._load_detail(job)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, job: JobInfo) -> None:
        # Importing a factory module is light by contract, but it is user code.
        self.app.call_from_thread(self._detail_loaded, self.services.catalog.detail(job))

    def _detail_loaded(self, detail: JobDetail) -> None:
        if self.job is None or detail.job.module != self.job.module:
            return  # the user has moved on
        self.detail = detail
        self.query_one(JobDetailView).show(detail)
        if detail.error:
            self.query_one(JobBrowser).mark_broken(detail.job)
        pending, self._pending = self._pending, None
        if pending is None and detail.job.module in self.drafts:
            pending = _PendingConfig(*self.drafts[detail.job.module])
        elif pending is None:
            pending = _PendingConfig(*detail.default_config())
        self.query_one(ConfigEditor).load(
            detail.config_model, detail.job.name, pending.text, pending.source
        )
        if pending.run:
            self.action_run()

    def on_config_editor_validated(self, event: ConfigEditor.Validated) -> None:
        """Enable Run exactly when the config is valid."""
        self._sync_controls()

    def _sync_controls(self) -> None:
        state = (self._can_run(), self.query_one(RunConsole).running)
        if state == self._controls:
            return  # redrawing the footer on every keystroke is costly
        self._controls = state
        self.query_one("#run", Button).disabled = not state[0]
        self.query_one("#cancel", Button).disabled = not state[1]
        self.refresh_bindings()

    def _can_run(self) -> bool:
        return (
            self.detail is not None
            and self.detail.usable
            and self.query_one(ConfigEditor).valid
            and not self.query_one(RunConsole).running
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out Run while the config is invalid, Cancel while nothing runs."""
        try:
            if action in ("run", "run_cold", "run_downstream"):
                return True if self._can_run() else None
            if action == "cancel":
                return True if self.query_one(RunConsole).running else None
        except NoMatches:  # asked before the widgets exist
            return None
        return True

    def footer_keeps(self, action: str, enabled: bool) -> bool:
        """Whether the footer shows ``action``'s key (:class:`tui.widgets.footer.DwhFooter`)."""
        return shows_key(action, enabled, tab=self._tab(), narrow=self.narrow)

    @property
    def narrow(self) -> bool:
        """Whether the screen is below :data:`tui.widgets.footer.NARROW_WIDTH` columns."""
        return self.size.width < NARROW_WIDTH

    def _tab(self) -> str:
        try:
            return str(self.query_one(TabbedContent).active)
        except NoMatches:
            return ""

    def on_resize(self) -> None:
        """Fit the footer, the buttons and the job's fields to the new width."""
        if self._narrow == self.narrow:
            return
        self._narrow = self.narrow
        self.query_one(ConfigPanel).fit(narrow=self.narrow)
        self.query_one(JobDetailView).fit(narrow=self.narrow)
        self.query_one("#cancel", Button).compact = self.narrow
        self.refresh_bindings()

    # -- navigation -----------------------------------------------------------------

    def action_focus_jobs(self) -> None:
        """Focus the job tree (showing it if hidden), the cursor on a job: Enter opens it."""
        browser = self.query_one(JobBrowser)
        browser.display = True
        browser.focus_first_job()

    def action_toggle_jobs(self) -> None:
        """Hide the job tree to give the tabs the whole width, or show it again."""
        browser = self.query_one(JobBrowser)
        if browser.display:
            had_focus = browser.has_focus_within
            browser.display = False
            if had_focus:
                self.focus_next()
        else:
            self.action_focus_jobs()

    def action_filter(self) -> None:
        """Focus the filter box, its text selected so typing replaces it."""
        box = self.query_one("#job-filter", Input)
        box.focus()
        box.select_all()

    def action_show_tab(self, tab: str) -> None:
        """Switch to a tab and focus its main widget."""
        self.query_one(TabbedContent).active = tab
        targets = {
            "tab-config": "#config-text",
            "tab-history": "#history-table",
            "tab-run": "#run-lifecycle",
        }
        if tab in targets:
            self.query_one(targets[tab]).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Re-read the run store whenever History is shown, by key or by mouse."""
        if event.pane.id == "tab-history":
            self.refresh_history()
        self.refresh_bindings()

    def refresh_history(self) -> None:
        """Re-read the run store."""
        view = self.query_one(HistoryView)
        close_store(view.store)
        status = open_run_store()
        view.load(status.store, status.message)

    def action_help(self) -> None:
        """Show every binding."""
        keymap = str(self.services.keymap_path)
        self.app.push_screen(help_screen(self.app.active_bindings, MAIN_BINDINGS, keymap))

    # -- runs -----------------------------------------------------------------------

    def action_run_cold(self) -> None:
        """Run the job cold: its own Spark session, as in production."""
        self.action_run(warm=False)

    def action_run(self, warm: bool = True) -> None:
        """Run the job with the editor's config, through the generic entry.

        Warm by default: a job that needs Spark runs on the local Spark server.
        """
        request = self._request()
        if request is None or self.detail is None:
            return
        self.query_one(RunConsole).run(request, warm=warm and self.detail.needs_spark)
        self._started()

    def action_run_downstream(self) -> None:
        """Run the job, then every job the trigger map chains after it."""
        # Imported here: the trigger runner is not needed to start the TUI.
        from tui.chain import chain_plan

        problem, plan = chain_plan(self.job.name) if self.job else ("Pick a job first.", "")
        request = None if problem else self._request()
        if problem:
            self.notify(problem, severity="warning")
        if request is None or self.detail is None:
            return
        console = self.query_one(RunConsole)
        console.run_chain(request, warm=self.detail.needs_spark)
        console.add_note(plan, style="cyan")
        self._started()

    def _request(self) -> RunRequest | None:
        """The run of the editor's config, or None (and a warning) when it can't run."""
        if self.job is None or self.detail is None or not self._can_run():
            self.notify("Run needs a valid config and no run in progress.", severity="warning")
            return None
        request = RunRequest(
            job=self.job.name,
            module=self.job.module,
            config=parse_valid(self.query_one(ConfigEditor).text),
            has_spark=self.detail.needs_spark,
            run_id=self.services.new_run_id(),
        )
        self.last_request = request
        return request

    def _started(self) -> None:
        self.action_show_tab("tab-run")
        self._sync_controls()

    def _run_finished(self, request: RunRequest, result: Outcome) -> None:
        """A run ended: update the controls and the history; say so if out of sight."""
        self._sync_controls()
        self.refresh_history()
        if self.query_one(TabbedContent).active != "tab-run":
            message = f"{request.job} {result.status}: {result.message}"
            if result.status == RunStatus.SUCCEEDED:
                self.notify(message)
            else:
                self.notify(message, severity="warning")

    def action_cancel(self) -> None:
        """Stop the running job (SIGTERM: on_failure runs, the run is cancelled)."""
        if not self.query_one(RunConsole).cancel():
            self.notify("No run in progress.", severity="warning")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a run in the history also loads its config."""
        self.action_rerun()

    def action_rerun(self) -> None:
        """In History: load the selected run's config. Elsewhere: rerun the last run."""
        if self.query_one(TabbedContent).active == "tab-history":
            record = self.query_one(HistoryView).selected
            if record is None:
                self.notify("No run selected.", severity="warning")
                return
            self.load_run_config(record.job, record.config, f"from run {record.run_id}")
            return
        self.rerun_last()

    def rerun_last(self) -> None:
        """Run the last run's job again with the same config."""
        request = self.last_request
        if request is None:
            history = self.query_one(HistoryView).records
            if not history:
                self.notify("Nothing to rerun yet.", severity="warning")
                return
            last = history[0]
            self.load_run_config(last.job, last.config, f"from run {last.run_id}", run=True)
            return
        self.load_run_config(request.job, request.config, "rerun", run=True)

    def load_run_config(
        self, job_name: str, config: dict[str, Any], source: str, *, run: bool = False
    ) -> None:
        """Open ``job_name`` with ``config`` in the editor; run it if asked and valid."""
        job = self.services.catalog.find(job_name)
        if job is None:
            self.notify(f"Job '{job_name}' is not registered any more.", severity="error")
            return
        clean = {k: v for k, v in config.items() if not (k in FRAMEWORK_FIELDS and v is None)}
        if REDACTED in json.dumps(clean):
            # Never run with placeholders where secrets were: the user fills them in.
            run = False
            self.notify(
                f"Secrets were redacted in the run store: replace the {REDACTED} values, then run.",
                severity="warning",
            )
        self.open_job(job, text=pretty_json(clean), source=source, run=run)
        self.action_show_tab("tab-config")

    # -- the config in the editor (the panel does the work) --------------------------

    def action_new(self) -> None:
        """Replace the config with a skeleton generated from the schema."""
        if self.query_one(ConfigPanel).new(self.detail):
            self.action_show_tab("tab-config")

    def action_save(self) -> None:
        """Ask for a name and save the config under ``$DWH_HOME/configs/<job>/``."""
        self.query_one(ConfigPanel).save(self.job)

    def action_open(self) -> None:
        """Pick an example or saved config and load it into the editor."""
        if self.job is None:
            self.notify("Pick a job first.", severity="warning")
            return
        self.query_one(ConfigPanel).open(self.detail)

    def action_copy_commands(self) -> None:
        """Copy the equivalent spark-submit and papermill commands, and show them."""
        self.query_one(ConfigPanel).copy_commands(self.detail)

    @on(ConfigPanel.OpenConfigRequested)
    def _ask_which_config(self, event: ConfigPanel.OpenConfigRequested) -> None:
        def load(choice: str | None) -> None:
            if event.panel.load_choice(event.detail, choice):
                self.action_show_tab("tab-config")

        self.app.push_screen(OpenConfigScreen(event.title, event.choices), load)

    def on_history_view_open_run(self, event: HistoryView.OpenRun) -> None:
        """Everything the store knows about a run: the drill-down."""
        from tui.screens.run_detail import RunDetailScreen

        self.app.push_screen(RunDetailScreen(event.store, event.run_id))

    # -- backfills ------------------------------------------------------------------

    def action_backfill(self) -> None:
        """Open the backfill dialog: the editor's config is the template for each date."""
        if self.job is None or self.detail is None or not self.detail.usable:
            self.notify("Pick a job first.", severity="warning")
            return
        if self.query_one(RunConsole).running:
            self.notify("A run is in progress: a backfill waits for it.", severity="warning")
            return
        # Imported here: dwh.backfill is not needed to start the TUI (about 40 ms).
        from tui.screens.backfill import BackfillScreen

        screen = BackfillScreen(
            self.job.name,
            self.query_one(ConfigEditor).text,
            new_backfill_id=lambda: f"bf-{self.services.new_run_id()}",
        )
        self.app.push_screen(screen, lambda _: self.refresh_history())

"""The workspace's shared state: the selected job, its detail and the run controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Button, TabbedContent

from tui.config_files import pretty_json
from tui.history import close_store, open_run_store
from tui.skeleton import skeleton_config
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.history_view import HistoryView
from tui.widgets.job_browser import JobBrowser
from tui.widgets.job_detail import JobDetailView
from tui.widgets.run_console import RunConsole

if TYPE_CHECKING:
    from dwh.registry import JobInfo
    from tui.app import DwhApp
    from tui.catalog import JobDetail
    from tui.runner import RunHandle, RunRequest


class Workspace(Screen[None]):
    """What the main screen's parts share: the job in hand and whether it can run.

    Selecting a job imports its factory module in a thread, so a slow or broken module
    never blocks the UI; the config editor is filled once the detail has arrived.
    """

    def __init__(self) -> None:
        super().__init__()
        self.job: JobInfo | None = None
        self.detail: JobDetail | None = None
        self.drafts: dict[str, tuple[str, str]] = {}
        self.last_request: RunRequest | None = None
        self._pending: tuple[str, str, bool] | None = None
        self._handle: RunHandle | None = None
        self._controls: tuple[bool, bool] | None = None

    @property
    def dwh(self) -> DwhApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def on_job_browser_job_selected(self, event: JobBrowser.JobSelected) -> None:
        """Show the picked job and load its config into the editor."""
        self.open_job(event.job)

    def open_job(self, job: JobInfo, *, text: str | None = None, source: str = "") -> None:
        """Select a job; ``text`` (a config) replaces the default config if given."""
        if self.job is not None and self.detail is not None and self.detail.usable:
            editor = self.query_one(ConfigEditor)
            self.drafts[self.job.module] = (editor.text, "draft")
        self.job, self.detail = job, None
        if text is not None:
            self._pending = (text, source, False)
        self.query_one(JobDetailView).show_loading(job)
        self.sub_title = job.name
        self._load_detail(job)

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load_detail(self, job: JobInfo) -> None:
        # Importing a factory module is light by contract, but it is user code.
        self.app.call_from_thread(self._detail_loaded, self.dwh.catalog.detail(job))

    def _detail_loaded(self, detail: JobDetail) -> None:
        if self.job is None or detail.job.module != self.job.module:
            return  # the user has moved on
        self.detail = detail
        self.query_one(JobDetailView).show(detail)
        if detail.error:
            self.query_one(JobBrowser).mark_broken(detail.job)
        pending, self._pending = self._pending, None
        if pending is not None:
            text, source, run = pending
        elif detail.job.module in self.drafts:
            text, source = self.drafts[detail.job.module]
            run = False
        else:
            text, source = self._default_config(detail)
            run = False
        self.query_one(ConfigEditor).load(detail.config_model, detail.job.name, text, source)
        if run:
            self.action_run()

    def action_run(self) -> None:
        """Run the job with the editor's config (see :class:`RunActions`)."""
        raise NotImplementedError

    def _default_config(self, detail: JobDetail) -> tuple[str, str]:
        if detail.examples:
            name, config = next(iter(detail.examples.items()))
            return pretty_json(config), f"example {name}"
        if detail.schema:
            return pretty_json(skeleton_config(detail.schema)), "skeleton from schema"
        return "{}\n", "empty"

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
            if action == "run":
                return True if self._can_run() else None
            if action == "cancel":
                return True if self.query_one(RunConsole).running else None
            if action == "show_tab" and parameters[:1] == (self.query_one(TabbedContent).active,):
                return False  # the tab in view: its key leaves the footer room for others
        except NoMatches:  # asked before the widgets exist
            return None
        return True

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

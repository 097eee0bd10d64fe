"""The workspace: job tree on the left; job, config, run and history tabs on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Header,
    Input,
    TabbedContent,
    TabPane,
    Tree,
)

from tui.screens.config_actions import ConfigActions
from tui.screens.help import HelpScreen
from tui.screens.run_actions import RunActions
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.history_view import HistoryView
from tui.widgets.job_browser import JobBrowser
from tui.widgets.job_detail import JobDetailView
from tui.widgets.run_console import RunConsole

if TYPE_CHECKING:
    from textual.app import ComposeResult


class MainScreen(ConfigActions, RunActions):
    """Browse jobs, edit a config, run it and watch it, look back at earlier runs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="dwh.help", priority=True),
        Binding("f2", "focus_jobs", "Jobs", id="dwh.focus_jobs", priority=True),
        Binding("ctrl+f", "filter", "Filter", id="dwh.filter", show=False, priority=True),
        Binding("f3", "show_tab('tab-job')", "Job", id="dwh.show_job", priority=True),
        Binding("f4", "show_tab('tab-config')", "Config", id="dwh.show_config", priority=True),
        Binding("f5", "show_tab('tab-run')", "Log", id="dwh.show_run", priority=True),
        Binding("f6", "show_tab('tab-history')", "History", id="dwh.show_history", priority=True),
        Binding("ctrl+j", "run", "Run", id="dwh.run", priority=True),
        Binding("ctrl+t", "cancel", "Cancel", id="dwh.cancel", priority=True),
        Binding("ctrl+s", "save", "Save", id="dwh.save_config", priority=True),
        Binding("ctrl+o", "open", "Open", id="dwh.open_config", priority=True),
        Binding("ctrl+n", "new", "New", id="dwh.new_config", priority=True),
        Binding("ctrl+l", "copy_commands", "Prod cmd", id="dwh.copy_command", priority=True),
        Binding("ctrl+r", "rerun", "Rerun", id="dwh.rerun", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="workspace"):
            yield JobBrowser(id="browser")
            with TabbedContent(id="tabs", initial="tab-job"):
                with TabPane("Job", id="tab-job"):
                    yield JobDetailView(id="detail")
                with TabPane("Config", id="tab-config"):
                    with Vertical():
                        yield ConfigEditor(id="editor")
                        with Horizontal(classes="buttons"):
                            yield Button("Run (ctrl+j)", id="run", variant="success", disabled=True)
                            yield Button("Save (ctrl+s)", id="save")
                            yield Button("Open (ctrl+o)", id="open")
                            yield Button("Prod command (ctrl+l)", id="copy")
                with TabPane("Run", id="tab-run"):
                    with Vertical():
                        yield RunConsole(id="console", clock=self.dwh.clock)
                        with Horizontal(classes="buttons"):
                            yield Button("Cancel run (ctrl+t)", id="cancel", variant="error")
                with TabPane("History", id="tab-history"):
                    yield HistoryView(id="history")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """List the jobs and the run history."""
        self.query_one(JobBrowser).set_jobs(self.dwh.catalog.refresh())
        self.query_one("#job-tree", Tree).focus()
        self.refresh_history()
        self._sync_controls()

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

    def action_focus_jobs(self) -> None:
        """Focus the job tree."""
        self.query_one("#job-tree", Tree).focus()

    def action_filter(self) -> None:
        """Focus the filter box, its text selected so typing replaces it."""
        box = self.query_one("#job-filter", Input)
        box.focus()
        box.select_all()

    def action_help(self) -> None:
        """Show every binding."""
        rows: dict[str, list[str]] = {}
        for pressed, active in self.app.active_bindings.items():
            binding = active.binding
            key = binding.id or binding.action
            entry = rows.setdefault(key, [binding.description or binding.action, ""])
            entry[1] = f"{entry[1]}, {pressed}" if entry[1] else pressed
        table = [(keys, key, description) for key, (description, keys) in rows.items()]
        table.sort(key=lambda row: not row[1].startswith("dwh."))  # ours first, stable
        self.app.push_screen(HelpScreen(table, str(self.dwh.keymap_path)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a run in the history also loads its config."""
        self.action_rerun()

"""The main screen's keys and its palette's action commands, in one place.

Every binding has an id (``dwh.*``) so users can remap it in ``$DWH_HOME/keymap.json``;
the palette's commands name the same keys, so the two never disagree.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Protocol

from textual.binding import Binding

if TYPE_CHECKING:
    from tui.palette import Command

__all__ = ["MAIN_BINDINGS", "Actions", "action_commands", "shows_key"]


class Actions(Protocol):
    """The actions the palette's commands call (the main screen has them)."""

    def action_run(self, warm: bool = True) -> None: ...
    def action_run_cold(self) -> None: ...
    def action_run_downstream(self) -> None: ...
    def rerun_last(self) -> None: ...
    def action_cancel(self) -> None: ...
    def action_copy_commands(self) -> None: ...
    def action_new(self) -> None: ...
    def action_save(self) -> None: ...
    def action_open(self) -> None: ...
    def action_backfill(self) -> None: ...
    def action_show_tab(self, tab: str) -> None: ...


MAIN_BINDINGS: tuple[Binding, ...] = (
    Binding("f1", "help", "Help", id="dwh.help", priority=True),
    Binding("f2", "focus_jobs", "Jobs", id="dwh.focus_jobs", priority=True),
    Binding("ctrl+f", "filter", "Filter", id="dwh.filter", show=False, priority=True),
    Binding("ctrl+b", "toggle_jobs", "Jobs panel", id="dwh.toggle_jobs", show=False, priority=True),
    Binding("f3", "show_tab('tab-job')", "Job", id="dwh.show_job", priority=True),
    Binding("f4", "show_tab('tab-config')", "Config", id="dwh.show_config", priority=True),
    Binding("f5", "show_tab('tab-run')", "Run", id="dwh.show_run", priority=True),
    Binding("f6", "show_tab('tab-history')", "History", id="dwh.show_history", priority=True),
    Binding("ctrl+j", "run", "Run", id="dwh.run", priority=True),
    Binding("ctrl+k", "run_cold", "Run cold", id="dwh.run_cold", show=False, priority=True),
    Binding(
        "ctrl+g",
        "run_downstream",
        "Run + downstream",
        id="dwh.run_downstream",
        show=False,
        priority=True,
    ),
    Binding("ctrl+t", "cancel", "Cancel", id="dwh.cancel", priority=True),
    Binding("ctrl+s", "save", "Save", id="dwh.save_config", priority=True),
    Binding("ctrl+o", "open", "Open", id="dwh.open_config", priority=True),
    Binding("ctrl+n", "new", "New", id="dwh.new_config", priority=True),
    Binding("ctrl+l", "copy_commands", "Prod cmd", id="dwh.copy_command", priority=True),
    Binding("ctrl+r", "rerun", "Rerun", id="dwh.rerun", priority=True),
    Binding("f7", "backfill", "Backfill", id="dwh.backfill", show=False, priority=True),
)


def action_commands(screen: Actions) -> list[Command]:
    """The palette's commands for the screen's actions, each with its key."""
    return [
        (
            "Run the current job",
            screen.action_run,
            "ctrl+j: run with the editor's config (warm: on the local Spark server)",
        ),
        (
            "Run the current job cold",
            screen.action_run_cold,
            "ctrl+k: a production-like run with its own Spark session",
        ),
        (
            "Run the current job and its downstream jobs",
            screen.action_run_downstream,
            "ctrl+g: then every job the trigger map chains after it (dwh run --follow)",
        ),
        ("Rerun last run", screen.rerun_last, "ctrl+r: same job, same config"),
        ("Cancel the running job", screen.action_cancel, "ctrl+t"),
        ("Copy production command", screen.action_copy_commands, "ctrl+l: spark-submit"),
        ("Show run history", partial(screen.action_show_tab, "tab-history"), "f6"),
        ("New config from schema", screen.action_new, "ctrl+n"),
        ("Save config", screen.action_save, "ctrl+s"),
        ("Open config", screen.action_open, "ctrl+o: examples and saved configs"),
        ("Backfill the current job", screen.action_backfill, "f7: one run per date"),
    ]


_CONFIG_ACTIONS = frozenset({"save", "open", "new", "copy_commands"})
"""The keys about the config in the editor: the footer shows them on its tabs only."""
_CONFIG_TABS = frozenset({"tab-job", "tab-config"})


def shows_key(action: str, enabled: bool, *, tab: str, narrow: bool) -> bool:
    """Whether the main screen's footer shows ``action``'s key (every key still works).

    The tab keys never: each tab's title carries its key. The config keys only on the
    Job and Config tabs. Below 100 columns, no key that is greyed out now.
    """
    if action.startswith("show_tab"):
        return False
    if action in _CONFIG_ACTIONS and tab not in _CONFIG_TABS:
        return False
    return enabled or not narrow

"""The job tree, grouped by package, with a filter box."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Tree

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from dwh.registry import JobInfo


class JobBrowser(Vertical):
    """Lists every registered job under its package; typing in the box filters it.

    Jobs whose name matches come first (their package too), then module and docstring
    matches, so Enter in the box opens the job whose name was typed.
    """

    class JobSelected(Message):
        """The user picked a job.

        Attributes:
            job: The picked job.
        """

        def __init__(self, job: JobInfo) -> None:
            super().__init__()
            self.job = job

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.jobs: list[JobInfo] = []
        self.shown: list[JobInfo] = []
        self.broken: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter jobs (ctrl+f)", id="job-filter")
        tree: Tree[JobInfo] = Tree("jobs", id="job-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree

    def set_jobs(self, jobs: list[JobInfo]) -> None:
        """Show these jobs, keeping the current filter."""
        self.jobs = list(jobs)
        self._rebuild(self.query_one("#job-filter", Input).value)

    def mark_broken(self, job: JobInfo) -> None:
        """Flag a job whose module cannot be used (its detail says why)."""
        self.broken.add(job.module)
        tree: Tree[JobInfo] = self.query_one("#job-tree", Tree)
        for branch in tree.root.children:
            for leaf in branch.children:
                if leaf.data is not None and leaf.data.module == job.module:
                    leaf.set_label(_label(job, broken=True))

    def focus_first_job(self) -> None:
        """Focus the tree with the cursor on a job (the first one, unless it is on one).

        Enter then opens that job; it never lands on a package, where Enter would
        fold the tree instead.
        """
        tree: Tree[JobInfo] = self.query_one("#job-tree", Tree)
        tree.focus()
        current = tree.cursor_node
        if current is not None and current.data is not None:
            return
        first = next(
            (leaf for branch in tree.root.children for leaf in branch.children if leaf.data),
            None,
        )
        if first is not None:
            tree.move_cursor(first)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Re-filter on every keystroke."""
        event.stop()
        self._rebuild(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box picks the first match."""
        event.stop()
        if self.shown:
            self.post_message(self.JobSelected(self.shown[0]))
            self.query_one("#job-tree", Tree).focus()

    def on_tree_node_selected(self, event: Tree.NodeSelected[JobInfo]) -> None:
        """Enter or a click on a job picks it."""
        event.stop()
        if event.node.data is not None:
            self.post_message(self.JobSelected(event.node.data))

    def _rebuild(self, query: str) -> None:
        needle = query.strip().lower()
        ranked = [(match_rank(job, needle), job) for job in self.jobs]
        # Name matches first, so Enter opens the job whose name was typed (stable sort).
        self.shown = [
            job for rank, job in sorted(ranked, key=lambda pair: pair[0]) if rank < _NO_MATCH
        ]
        tree: Tree[JobInfo] = self.query_one("#job-tree", Tree)
        tree.clear()
        packages: dict[str, list[JobInfo]] = {}
        for job in self.shown:
            packages.setdefault(job.package, []).append(job)
        for package, jobs in packages.items():
            branch = tree.root.add(f"{package} ({len(jobs)})", expand=True)
            for job in jobs:
                branch.add_leaf(_label(job, broken=job.module in self.broken), data=job)
        if not self.shown:
            tree.root.add_leaf("no job matches" if self.jobs else "no jobs found")


_NO_MATCH = 4


def match_rank(job: JobInfo, needle: str) -> int:
    """How well ``needle`` (lower case) matches a job, best first.

    0: its name starts with it, 1: its name holds it, 2: its module path holds it,
    3: its description holds it, 4: no match. Everything matches an empty needle.
    """
    if not needle:
        return 0
    name = job.name.lower()
    if name.startswith(needle):
        return 0
    if needle in name:
        return 1
    if needle in job.module.lower():
        return 2
    if needle in job.description.lower():
        return 3
    return _NO_MATCH


def _label(job: JobInfo, *, broken: bool) -> Text:
    return Text.assemble(job.name, (" ✘", "bold red")) if broken else Text(job.name)

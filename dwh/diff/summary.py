"""The one-line diff summary after a run, per output that had a previous version.

``dwh run``, the TUI's run console and the notebook all call :func:`run_summaries`::

    output_path: 920 → 905 rows (-15), 31 changed in 'width'

It never fails a run: an output without a previous version gets no line, a diff that
fails says why in its line, and a diff that takes longer than ``budget_seconds`` is left
behind (it runs in a daemon thread) with a line saying so and how to run it by hand.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dwh.errors import DiffKeyError, DiffTargetError, DwhError
from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    from dwh.diff._model import Diff
    from dwh.runs.store import RunStore

__all__ = ["DEFAULT_BUDGET_SECONDS", "OutputSummary", "run_summaries"]

DEFAULT_BUDGET_SECONDS = 10.0
"""How long one output's after-run diff may take before it is given up on."""


@dataclass(frozen=True)
class OutputSummary:
    """The after-run line for one output.

    Attributes:
        output: The run's name for the output (``output_path``).
        line: What to print.
        diff: The diff, or None when it failed or took too long.
    """

    output: str
    line: str
    diff: Diff | None = None


def run_summaries(
    run_id: str,
    *,
    store: RunStore | None = None,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
) -> list[OutputSummary]:
    """Summarise what the run changed in each of its outputs that had a previous version.

    Outputs that are remote or had no previous version (a first run,
    ``DWH_KEEP_VERSIONS=0``) get no summary. Nothing here raises: a failure becomes
    the output's line.

    Args:
        run_id: The run, as the run store recorded it.
        store: The run store; by default the environment's.
        budget_seconds: How long each output's diff may take.
    """
    from dwh.preview import open_store

    opened = store is None
    try:
        if opened:
            store = open_store()
        record = store.get(run_id) if store is not None else None
    except DwhError:
        return []
    try:
        outputs = dict(record.outputs or {}) if record is not None else {}
        summaries = []
        for name, path in outputs.items():
            if local_path(path) is None:
                continue
            summary = _summarise(run_id, name, store, budget_seconds)
            if summary is not None:
                summaries.append(summary)
        return summaries
    finally:
        if opened and store is not None:
            store.close()


def _summarise(
    run_id: str, name: str, store: RunStore | None, budget_seconds: float
) -> OutputSummary | None:
    from dwh.diff import diff

    outcome: list[Diff | BaseException] = []

    def work() -> None:
        try:
            outcome.append(diff(run_id, output=name, limit=0, store=store))
        except BaseException as exc:  # reported as the output's line, never raised
            outcome.append(exc)

    worker = threading.Thread(target=work, name=f"dwh-diff-{name}", daemon=True)
    worker.start()
    worker.join(budget_seconds)
    if not outcome:
        return OutputSummary(
            name,
            f"{name}: no diff, it took longer than {budget_seconds:g}s "
            f"(run it: dwh diff {run_id} --output {name})",
        )
    result = outcome[0]
    if isinstance(result, DiffKeyError):
        return OutputSummary(name, f"{name}: no diff: {result}")
    if isinstance(result, DiffTargetError):
        return None  # no previous version: nothing to summarise
    if isinstance(result, BaseException):
        return OutputSummary(name, f"{name}: no diff: {type(result).__name__}: {result}")
    return OutputSummary(name, result.summary_line(name), result)

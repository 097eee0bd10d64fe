"""Output checks as the TUI shows them: counts per status and the failing sample rows.

The ``checks_finished`` payloads (:meth:`dwh.checks.OutputAudit.to_payload`) come from
the run console's live events or from the run store; both views read them here, so a
check reads the same in the console, the history and the drill-down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dwh.checks.results import CheckStatus, audits_from_events

__all__ = ["CHECK_STYLE", "audits_from_events", "check_counts", "failing_samples", "sample_label"]

CHECK_STYLE = {
    CheckStatus.PASSED.value: "green",
    CheckStatus.WARNED.value: "yellow",
    CheckStatus.FAILED.value: "red",
}
"""The colour of each check status."""


def check_counts(checks: Iterable[Mapping[str, Any]]) -> str:
    """``2 passed, 1 failed``: how many checks ended each way, in that order."""
    counts = {status.value: 0 for status in CheckStatus}
    for check in checks:
        status = str(check.get("status"))
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no checks"


def sample_label(output: str, check: str) -> str:
    """The tab name of one check's failing rows: ``output_path · unique(image_id)``."""
    return f"{output} · {check}"


def failing_samples(audits: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each failed or warned check that kept sample rows, by :func:`sample_label`.

    Returns:
        Label to ``{"rows", "failing_rows", "output", "check", "columns"}``,
        failed checks first, then warned ones, each in the run's order.
    """
    found: dict[str, dict[str, Any]] = {}
    for wanted in (CheckStatus.FAILED, CheckStatus.WARNED):
        for audit in audits:
            for check in audit.get("checks") or []:
                if check.get("status") != wanted or not check.get("samples"):
                    continue
                output, name = str(audit.get("output", "?")), str(check.get("name", "?"))
                found[sample_label(output, name)] = {
                    "rows": list(check["samples"]),
                    "failing_rows": int(check.get("failing_rows") or 0),
                    "output": output,
                    "check": name,
                    "columns": [str(c) for c in check.get("columns") or []],
                }
    return found

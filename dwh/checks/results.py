"""What an audit found, per check and per output, in the form events and tables carry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dwh.checks.spec import Check, Severity

__all__ = [
    "CheckResult",
    "CheckStatus",
    "OutputAudit",
    "audits_from_events",
    "failed_checks",
    "format_table",
]

SAMPLE_LIMIT = 5
"""At most this many failing rows are kept per check."""


class CheckStatus(StrEnum):
    """How a check ended."""

    PASSED = "passed"
    WARNED = "warned"
    FAILED = "failed"


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one output.

    Attributes:
        check: What was checked (name, columns, severity).
        failing_rows: How many rows break it.
        samples: Up to :data:`SAMPLE_LIMIT` failing rows (secrets are hidden when the
            event is published).
        observed: For ``row_count``, the row count.
    """

    check: Check
    failing_rows: int
    samples: list[dict[str, Any]] = field(default_factory=list)
    observed: int | None = None

    @property
    def status(self) -> CheckStatus:
        """``passed``, ``warned`` (a warn check that failed) or ``failed``."""
        if self.failing_rows == 0:
            return CheckStatus.PASSED
        return CheckStatus.WARNED if self.check.severity is Severity.WARN else CheckStatus.FAILED

    def to_json(self) -> dict[str, Any]:
        """The form the ``checks_finished`` event carries."""
        data: dict[str, Any] = {
            "name": self.check.name,
            "check": self.check.kind,
            "columns": list(self.check.columns),
            "severity": self.check.severity.value,
            "status": self.status.value,
            "failing_rows": self.failing_rows,
            "samples": self.samples[:SAMPLE_LIMIT],
        }
        if self.observed is not None:
            data["observed"] = self.observed
        return data


@dataclass(frozen=True)
class OutputAudit:
    """Every check of one output, and the output's row and null counts.

    Attributes:
        output: The output's name (``record_output``'s).
        path: Where it is published (or would have been).
        results: One per check.
        row_count: The staged output's rows.
        null_counts: Per checked column, its nulls.
    """

    output: str
    path: str
    results: list[CheckResult]
    row_count: int | None = None
    null_counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[CheckResult]:
        """The error-severity checks that failed: any one stops the publish."""
        return [r for r in self.results if r.status is CheckStatus.FAILED]

    def to_payload(self) -> dict[str, Any]:
        """The ``checks_finished`` event's payload."""
        return {
            "output": self.output,
            "path": self.path,
            "passed": not self.failed,
            "row_count": self.row_count,
            "null_counts": dict(self.null_counts),
            "checks": [result.to_json() for result in self.results],
        }


def failed_checks(audits: Iterable[OutputAudit]) -> list[str]:
    """Each failed error-severity check as ``name on output (N failing rows)``."""
    return [
        f"{result.check.name} on {audit.output} ({result.failing_rows} failing rows)"
        for audit in audits
        for result in audit.failed
    ]


def audits_from_events(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The ``checks_finished`` payloads of a run's events, in order."""
    return [dict(e.payload) for e in events if getattr(e, "event", None) == "checks_finished"]


def format_table(audits: Sequence[Mapping[str, Any]]) -> list[str]:
    """Plain-text lines of a checks table, one block per output (for logs and the CLI).

    Args:
        audits: ``checks_finished`` payloads (:meth:`OutputAudit.to_payload`).
    """
    lines: list[str] = []
    for audit in audits:
        checks = audit.get("checks", [])
        counts = {status: 0 for status in CheckStatus}
        for check in checks:
            counts[CheckStatus(check["status"])] += 1
        summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
        lines.append(f"checks of {audit['output']} ({audit['path']}): {summary or 'none'}")
        width = max((len(check["name"]) for check in checks), default=0)
        for check in checks:
            rows = check["failing_rows"]
            detail = f"{rows} failing row{'s' if rows != 1 else ''}"
            if check.get("observed") is not None:
                detail += f" ({check['observed']} rows)"
            severity = "" if check["severity"] == Severity.ERROR else "  [warn]"
            lines.append(f"  {check['status']:<7} {check['name']:<{width}}  {detail}{severity}")
    return lines

"""Output checks: what a run's outputs must hold before they are published.

Declare them per output in a job factory (:mod:`dwh.checks.spec`), add or re-grade them
in a run's config (``output_checks``); a run stages its outputs, computes every check on
the staged copies (:mod:`dwh.spark.audit`) and publishes all of them or none
(:mod:`dwh.services.publication`). Results are ``checks_finished`` events
(:mod:`dwh.checks.results`). See docs/checks.md.
"""

from __future__ import annotations

from dwh.checks.results import CheckResult, CheckStatus, OutputAudit, format_table
from dwh.checks.spec import (
    CHECK_KINDS,
    Check,
    CheckOutcome,
    Severity,
    accepted_values,
    custom,
    expression,
    not_null,
    parse_check,
    relationships,
    row_count,
    unique,
)

__all__ = [
    "CHECK_KINDS",
    "Check",
    "CheckOutcome",
    "CheckResult",
    "CheckStatus",
    "OutputAudit",
    "Severity",
    "accepted_values",
    "custom",
    "expression",
    "format_table",
    "not_null",
    "parse_check",
    "relationships",
    "row_count",
    "unique",
]

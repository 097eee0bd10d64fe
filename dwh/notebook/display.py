"""Tables and charts of a run for a notebook: events, metrics, counts.

Rows are plain dicts, so ``pandas.DataFrame(rows)`` shows them as a table and the
tests need no pandas. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dwh.events import EventName

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from dwh.events import Event


def event_rows(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Return one row per lifecycle event, Spark progress folded into the phase it ran in.

    Columns: when, what, phase, rows, seconds, spark, detail. ``spark_progress`` events
    get no rows of their own: the row of the phase (or final event) they led up to says
    ``3 stages, 24 tasks`` (and how many tasks failed), from each stage's last report.
    """
    rows: list[dict[str, Any]] = []
    stages: dict[Any, Mapping[str, Any]] = {}
    for event in events:
        payload = event.payload
        if event.event == EventName.SPARK_PROGRESS:
            stages[payload.get("stage_id")] = payload
            continue
        detail = ""
        if event.event == EventName.JOB_STARTED:
            detail = f"config_hash {payload.get('config_hash', '')}"
        elif event.event == EventName.JOB_SUCCEEDED:
            detail = json.dumps(payload.get("metrics"), default=str, sort_keys=True)
        elif event.event == EventName.JOB_FAILED:
            detail = str(payload.get("error_message", ""))
            if payload.get("cancelled"):
                detail += " (cancelled)"
        rows.append(
            {
                "at": event.at,
                "event": event.event,
                "phase": payload.get("phase"),
                "rows": payload.get("rows"),
                "seconds": payload.get("seconds"),
                "spark": _spark_work(stages.values()),
                "detail": detail,
            }
        )
        stages = {}
    return rows


def _spark_work(stages: Iterable[Mapping[str, Any]]) -> str:
    """``3 stages, 24 tasks (1 failed)`` from each stage's last progress report; "" for none."""
    reports = list(stages)
    if not reports:
        return ""
    tasks = sum(int(r.get("tasks_total") or 0) for r in reports)
    failed = sum(int(r.get("tasks_failed") or 0) for r in reports)
    text = f"{len(reports)} stage{'s' if len(reports) != 1 else ''}, {tasks} tasks"
    return text + (f" ({failed} failed)" if failed else "")


def check_rows(audits: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return one row per output check: output, check, severity, status, failing rows.

    Args:
        audits: ``checks_finished`` payloads (:attr:`dwh.notebook.NotebookRun.checks`).
    """
    return [
        {
            "output": audit.get("output"),
            "check": check["name"],
            "severity": check["severity"],
            "status": check["status"],
            "failing_rows": check["failing_rows"],
        }
        for audit in audits
        for check in audit.get("checks") or []
    ]


def metric_rows(metrics: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return one ``{"metric", "value"}`` row per metric, in the job's order."""
    return [
        {"metric": key, "value": value if _is_scalar(value) else json.dumps(value, default=str)}
        for key, value in metrics.items()
    ]


def plot_counts(
    counts: Mapping[str, Any], keys: Sequence[str], *, title: str, ylabel: str = "rows"
) -> Figure:
    """Return a bar chart of ``counts[key]`` for each key (missing keys count 0)."""
    from matplotlib.figure import Figure

    values = [int(counts.get(key) or 0) for key in keys]
    figure = Figure(figsize=(max(4.0, 1.6 * len(keys)), 3.2), layout="constrained")
    axes = figure.subplots()
    bars = axes.bar(list(keys), values, color="#4c72b0")
    axes.bar_label(bars)
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.margins(y=0.15)
    return figure


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)

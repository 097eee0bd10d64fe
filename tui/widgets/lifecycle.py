"""How lifecycle events read in the run console and the history view."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from tui.checks import CHECK_STYLE, check_counts

if TYPE_CHECKING:
    from dwh.events import Event


def event_lines(event: Event) -> list[Text]:
    """One event as one or more lines: a timestamped headline, then details."""
    head = Text(_clock(event.at) + "  ", style="dim")
    payload = event.payload
    lines = [head]
    if event.event == "job_started":
        head.append("▶ started  ", style="bold cyan")
        head.append(f"{event.job}  run {event.run_id}")
        if event.triggered_by_job:
            trigger = f"{event.triggered_by_job}/{event.triggered_by_run_id or '?'}"
            lines.append(_detail(f"triggered by {trigger}"))
        if payload.get("config_hash"):
            lines.append(_detail(f"config hash {payload['config_hash']}"))
    elif event.event == "phase_finished":
        head.append("✓ phase  ", style="bold blue")
        head.append(f"{payload.get('phase', '?'):<12}", style="bold")
        head.append(f"{_rows(payload.get('rows'))}  {_seconds(payload.get('seconds'))}")
    elif event.event == "checks_finished":
        checks = payload.get("checks") or []
        passed = bool(payload.get("passed"))
        head.append(
            "✓ checks  " if passed else "✘ checks  ", style="bold green" if passed else "bold red"
        )
        head.append(f"{payload.get('output', '?')}  {check_counts(checks)}")
        for check in checks:
            status = str(check.get("status", "?"))
            rows = check.get("failing_rows", 0)
            text = f"{status:<7} {check.get('name', '?')}  {rows} failing row"
            lines.append(
                _detail(text + ("" if rows == 1 else "s"), style=CHECK_STYLE.get(status, ""))
            )
    elif event.event == "spark_progress":
        head.append("· spark  ", style="dim bold")
        head.append(_stage(payload), style="dim")
    elif event.event == "job_succeeded":
        head.append("✔ succeeded", style="bold green")
        for key, value in (payload.get("metrics") or {}).items():
            lines.append(_detail(f"metric  {key} = {_value(value)}"))
        for key, value in (payload.get("outputs") or {}).items():
            lines.append(_detail(f"output  {key} → {value}"))
        lines.append(_detail("on_success ran", style="green"))
    elif event.event == "job_failed":
        if payload.get("cancelled"):
            head.append("■ cancelled", style="bold yellow")
        else:
            head.append("✘ failed", style="bold red")
        message = payload.get("error_message") or payload.get("error_type") or ""
        lines.append(_detail(str(message), style="red"))
        lines.append(_detail("on_failure ran", style="yellow"))
    else:
        head.append(f"• {event.event}  ", style="bold")
        head.append(_value(payload))
    return lines


def history_lines(events: Iterable[Event]) -> list[Text]:
    """A stored run's events as lines, its ``spark_progress`` folded into one line.

    The run store keeps each finished stage's last progress event; one line each would
    bury the phases, so they become one ``Spark`` line after the last event before
    them.
    """
    lines: list[Text] = []
    stages: dict[object, dict[str, Any]] = {}
    for event in events:
        if event.event == "spark_progress":
            stages[event.payload.get("stage_id")] = event.payload
            continue
        if stages and event.event in ("job_succeeded", "job_failed"):
            lines.append(_stages_line(stages))
            stages = {}
        lines.extend(event_lines(event))
    if stages:
        lines.append(_stages_line(stages))
    return lines


def _stages_line(stages: dict[object, dict[str, Any]]) -> Text:
    done = sum(_int(p.get("tasks_done")) for p in stages.values())
    total = sum(_int(p.get("tasks_total")) for p in stages.values())
    failed = sum(_int(p.get("tasks_failed")) for p in stages.values())
    count = len(stages)
    text = f"Spark: {count} stage{'s' * (count != 1)}, {done}/{total} tasks done"
    if failed:
        text += f", {failed} failed"
    return _detail(text + " (d shows each stage)", style="red" if failed else "dim")


def _stage(payload: dict[str, Any]) -> str:
    return (
        f"stage {payload.get('stage_id', '?')}  "
        f"{_int(payload.get('tasks_done'))}/{_int(payload.get('tasks_total'))} tasks"
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _detail(text: str, style: str = "") -> Text:
    return Text("              " + text, style=style)


def _clock(at: str) -> str:
    """``18:36:16.560`` from ``2026-11-25T18:36:16.560Z``."""
    time = at.split("T", 1)[-1].rstrip("Z")
    return time[:12] if time else at


def _rows(rows: Any) -> str:
    return f"{rows:>10,} rows" if isinstance(rows, int) else f"{'?':>10} rows"


def _seconds(seconds: Any) -> str:
    return f"{seconds:7.2f}s" if isinstance(seconds, int | float) else ""


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)

"""How the run console's status line and Spark stage label read."""

from __future__ import annotations

from rich.text import Text

from dwh.events import RunStatus
from tui.history import format_duration

__all__ = ["is_bad", "stage_label", "status_line", "task_count"]

_STYLES = {
    "starting": ("◌", "cyan"),
    RunStatus.RUNNING: ("●", "cyan"),
    RunStatus.SUCCEEDED: ("✔", "green"),
    RunStatus.FAILED: ("✘", "red"),
    RunStatus.CANCELLED: ("■", "yellow"),
    RunStatus.REJECTED: ("⊘", "red"),
    "cancelling": ("◍", "yellow"),
}
_BAD = frozenset({RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.REJECTED})


def is_bad(status: str) -> bool:
    """Whether the run ended badly (failed, cancelled, rejected)."""
    return status in _BAD


def status_line(
    status: str, job: str, run_id: str, elapsed: float | None, message: str = ""
) -> Text:
    """``✔ succeeded   job   run R   elapsed 3.0s``, then the message on a line of its own."""
    symbol, style = _STYLES.get(status, ("•", ""))
    line = Text()
    line.append(f"{symbol} {status}", style=f"bold {style}")
    line.append(f"   {job}   run {run_id}   elapsed {format_duration(elapsed)}")
    if message:
        line.append(f"\n{message}", style=style)
    elif status == "starting":
        line.append("\nprocess started; waiting for the job's first event", style="dim")
    return line


def stage_label(payload: dict[str, object]) -> str:
    """``stage 4  3/8 tasks, 2 running``: a ``spark_progress`` event's stage."""
    done, total = task_count(payload, "tasks_done"), task_count(payload, "tasks_total")
    running, failed = task_count(payload, "tasks_running"), task_count(payload, "tasks_failed")
    label = f"stage {payload.get('stage_id', '?')}  {done}/{total} tasks"
    if running:
        label += f", {running} running"
    if failed:
        label += f", {failed} failed"
    return label


def task_count(payload: dict[str, object], key: str) -> int:
    """A task count of a ``spark_progress`` payload (0 when missing or not an int)."""
    value = payload.get(key)
    return value if isinstance(value, int) else 0

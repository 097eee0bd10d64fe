"""How a run ended, from its terminal event and its exit code."""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dwh.events import Event

EXIT_CANCELLED = 130


@dataclass(frozen=True)
class Outcome:
    """The end of a run as the status line shows it.

    Attributes:
        status: ``succeeded``, ``failed`` or ``cancelled``.
        message: One line saying why.
        reported: Whether the job reported it with an event (else the TUI must tell
            the run store, since the process could not).
    """

    status: str
    message: str
    reported: bool


def run_outcome(terminal: Event | None, returncode: int | None, last_error: str = "") -> Outcome:
    """Decide how a run ended.

    Args:
        terminal: The run's ``job_succeeded`` or ``job_failed`` event, if one came.
        returncode: The process's exit code (negative: killed by that signal).
        last_error: The last ``dwh: ...`` line the process printed, if any.
    """
    code = f"exit {returncode}" if returncode is not None and returncode >= 0 else ""
    if terminal is not None and terminal.event == "job_succeeded":
        return Outcome("succeeded", f"on_success ran · {code or 'exit ?'}", True)
    if terminal is not None:
        payload = terminal.payload
        if payload.get("cancelled"):
            return Outcome("cancelled", f"cancelled: on_failure ran · {code}", True)
        error = payload.get("error_message") or payload.get("error_type") or "the job failed"
        return Outcome("failed", f"{error} · on_failure ran · {code}", True)
    if returncode == EXIT_CANCELLED or returncode == -signal.SIGTERM:
        how = code or "SIGTERM"
        return Outcome("cancelled", f"cancelled before the job started · {how}", False)
    if returncode == 0:
        return Outcome("succeeded", "exit 0, but the job reported no outcome event", False)
    if returncode is not None and returncode < 0:
        name = _signal_name(-returncode)
        return Outcome(
            "failed", f"the job process died ({name}) before reporting an outcome", False
        )
    reason = last_error.removeprefix("dwh: ") or "no outcome was reported"
    return Outcome("failed", f"{reason} · {code or 'exit ?'}", False)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"

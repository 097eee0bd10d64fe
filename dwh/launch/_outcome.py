"""How a run ended: the one judgement, from its final event and its exit code.

The TUI's status line, the trigger runner, ``dwh run --follow`` and the run store
all take a run's status from :func:`outcome`, so they never disagree.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dwh.errors import ExitCode
from dwh.events import EventName, RunStatus

if TYPE_CHECKING:
    from dwh.events import Event

_CANCEL_CODES = frozenset({int(ExitCode.CANCELLED), -signal.SIGTERM, -signal.SIGINT})
_REJECT_CODES = frozenset({int(ExitCode.USAGE), int(ExitCode.LOCKED)})
_STATUS_EXIT = {
    RunStatus.SUCCEEDED: ExitCode.OK,
    RunStatus.REJECTED: ExitCode.USAGE,
    RunStatus.CANCELLED: ExitCode.CANCELLED,
}


@dataclass(frozen=True)
class Outcome:
    """How a run ended.

    Attributes:
        status: ``succeeded``, ``failed``, ``cancelled`` or ``rejected``.
        message: One line for people, with the exit code (the TUI's status line).
        error: Why it did not succeed, without decoration; None when it succeeded.
        reported: Whether the job reported its end with an event; when not, the
            launcher records the end in the run store for it.
    """

    status: RunStatus
    message: str
    error: str | None = None
    reported: bool = True


def outcome(
    final_event: Event | None,
    exit_code: int | None,
    *,
    cancelled: bool = False,
    started: bool = False,
    last_error: str = "",
) -> Outcome:
    """Decide how a run ended.

    Args:
        final_event: The run's ``job_succeeded`` or ``job_failed`` event, if one came.
        exit_code: The process's exit code (negative: killed by that signal).
        cancelled: Whether the caller asked the run to stop.
        started: Whether ``job_started`` came; a run that exits 2 or 3 without it was
            rejected (bad config, unknown job, output locked by another run).
        last_error: The last ``dwh: ...`` line the process printed, if any.
    """
    code = f"exit {exit_code}" if exit_code is not None else "exit ?"
    if final_event is not None and final_event.event == EventName.JOB_SUCCEEDED:
        return Outcome(RunStatus.SUCCEEDED, f"on_success ran · {code}")
    if final_event is not None:
        payload = final_event.payload
        error = str(payload.get("error_message") or payload.get("error_type") or "the job failed")
        if payload.get("cancelled"):
            return Outcome(RunStatus.CANCELLED, f"cancelled: on_failure ran · {code}", error)
        return Outcome(RunStatus.FAILED, f"{error} · on_failure ran · {code}", error)
    reason = last_error.removeprefix("dwh: ")
    if cancelled or exit_code in _CANCEL_CODES:
        when = "before reporting an outcome" if started else "before the job started"
        how = _signal_name(-exit_code) if exit_code is not None and exit_code < 0 else code
        return _unreported(RunStatus.CANCELLED, f"cancelled {when}", how)
    if exit_code == ExitCode.OK:
        return Outcome(
            RunStatus.SUCCEEDED, "exit 0, but the job reported no outcome event", reported=False
        )
    if exit_code is not None and exit_code < 0:
        name = _signal_name(-exit_code)
        return _unreported(
            RunStatus.FAILED, f"the job process died ({name}) before reporting an outcome", code
        )
    if exit_code in _REJECT_CODES and not started:
        return _unreported(
            RunStatus.REJECTED, reason or "the job was rejected before it started", code
        )
    reason = reason or f"the job process exited with code {exit_code} and reported nothing"
    return _unreported(RunStatus.FAILED, reason, code)


def exit_code_for(status: RunStatus | str) -> ExitCode:
    """The exit code a command ends with for a run (or a chain) that ended so."""
    return _STATUS_EXIT.get(RunStatus(status), ExitCode.JOB_FAILED)


def _unreported(status: RunStatus, error: str, how: str) -> Outcome:
    return Outcome(status, f"{error} · {how}", error, reported=False)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"

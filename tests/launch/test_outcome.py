"""The one judgement of how a run ended."""

from __future__ import annotations

import signal

import pytest

from dwh.errors import ExitCode
from dwh.events import Event, EventName, RunStatus
from dwh.launch import exit_code_for, outcome


def _event(name: str, **payload: object) -> Event:
    return Event(name, job="noop", run_id="r", payload=payload)


SUCCEEDED = _event(EventName.JOB_SUCCEEDED, metrics={})
FAILED = _event(EventName.JOB_FAILED, error_message="E: x", cancelled=False)
CANCELLED = _event(EventName.JOB_FAILED, error_message="KeyboardInterrupt", cancelled=True)


@pytest.mark.parametrize(
    ("final", "code", "started", "status", "fragment", "reported"),
    [
        (SUCCEEDED, 0, True, RunStatus.SUCCEEDED, "on_success ran · exit 0", True),
        (FAILED, 1, True, RunStatus.FAILED, "E: x · on_failure ran · exit 1", True),
        (CANCELLED, 130, True, RunStatus.CANCELLED, "cancelled: on_failure ran", True),
        (None, 130, False, RunStatus.CANCELLED, "before the job started · exit 130", False),
        (
            None,
            -signal.SIGTERM,
            True,
            RunStatus.CANCELLED,
            "before reporting an outcome · SIGTERM",
            False,
        ),
        (None, -signal.SIGKILL, True, RunStatus.FAILED, "died (SIGKILL)", False),
        (None, 2, False, RunStatus.REJECTED, "error: invalid config · exit 2", False),
        (None, 3, False, RunStatus.REJECTED, "exit 3", False),
        (None, 2, True, RunStatus.FAILED, "exit 2", False),
        (None, 0, True, RunStatus.SUCCEEDED, "no outcome event", False),
        (None, 1, True, RunStatus.FAILED, "error: invalid config · exit 1", False),
    ],
)
def test_outcome(
    final: Event | None,
    code: int,
    started: bool,
    status: RunStatus,
    fragment: str,
    reported: bool,
) -> None:
    result = outcome(final, code, started=started, last_error="dwh: error: invalid config")

    assert (result.status, result.reported) == (status, reported)
    assert fragment in result.message
    assert "\n" not in result.message


def test_the_error_is_the_jobs_own_words() -> None:
    assert outcome(FAILED, 1).error == "E: x"
    assert outcome(SUCCEEDED, 0).error is None


def test_a_cancel_asked_for_wins_over_a_kill() -> None:
    # The TUI asked the run to stop; it did not in time and was killed.
    result = outcome(None, -signal.SIGKILL, cancelled=True, started=True)

    assert result.status == RunStatus.CANCELLED
    assert "SIGKILL" in result.message


def test_nothing_printed_still_says_what_happened() -> None:
    result = outcome(None, 1)

    assert result.error == "the job process exited with code 1 and reported nothing"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (RunStatus.SUCCEEDED, ExitCode.OK),
        (RunStatus.FAILED, ExitCode.JOB_FAILED),
        (RunStatus.REJECTED, ExitCode.USAGE),
        (RunStatus.CANCELLED, ExitCode.CANCELLED),
        ("lost", ExitCode.JOB_FAILED),
    ],
)
def test_exit_code_for(status: RunStatus | str, code: ExitCode) -> None:
    assert exit_code_for(status) is code

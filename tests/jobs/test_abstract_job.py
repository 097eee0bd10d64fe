"""The template method: success, failure, failing on_success, failing on_failure."""

from __future__ import annotations

from typing import Any

import pytest

from dwh.jobs.abstract_job import AbstractJob
from dwh.run_context import RunContext
from dwh.testing import RecordingEventPublisher


class ScriptedJob(AbstractJob):
    """A job whose hooks do what the test says and record that they ran."""

    def __init__(
        self,
        *,
        execute: Any = None,
        success_error: Exception | None = None,
        failure_error: Exception | None = None,
        **services: Any,
    ) -> None:
        super().__init__(**services)
        self.execute = execute
        self.success_error = success_error
        self.failure_error = failure_error
        self.calls: list[tuple[str, Any]] = []

    def execute_job(self, **kwargs: Any) -> Any:
        self.calls.append(("execute_job", kwargs))
        with self.phase("extract") as phase:
            phase.rows = 3
        if isinstance(self.execute, BaseException):
            raise self.execute
        return self.execute

    def on_success(self, results: Any) -> None:
        self.calls.append(("on_success", results))
        if self.success_error is not None:
            raise self.success_error

    def on_failure(self, error_message: str) -> None:
        self.calls.append(("on_failure", error_message))
        if self.failure_error is not None:
            raise self.failure_error


def make_job(**kwargs: Any) -> tuple[ScriptedJob, RecordingEventPublisher]:
    publisher = RecordingEventPublisher()
    context = RunContext(job="scripted", run_id="run-1", config={"a": 1})
    return ScriptedJob(context=context, publisher=publisher, **kwargs), publisher


def test_success_runs_execute_then_on_success_and_returns_results() -> None:
    job, publisher = make_job(execute={"rows": 3})

    assert job.run(day=1) == {"rows": 3}

    assert job.calls == [("execute_job", {"day": 1}), ("on_success", {"rows": 3})]
    assert publisher.names == ["job_started", "phase_finished", "job_succeeded"]
    succeeded = publisher.of("job_succeeded")[0]
    assert succeeded.payload == {"metrics": {"rows": 3}, "outputs": {}}
    assert publisher.of("phase_finished")[0].payload["rows"] == 3


def test_failure_calls_on_failure_and_reraises_the_original_error() -> None:
    error = ValueError("bad row")
    job, publisher = make_job(execute=error)

    with pytest.raises(ValueError, match="bad row") as raised:
        job.run()

    assert raised.value is error
    assert job.calls[-1] == ("on_failure", "ValueError: bad row")
    assert [name for name, _ in job.calls] == ["execute_job", "on_failure"]
    failed = publisher.of("job_failed")[0]
    assert failed.payload == {
        "error_type": "ValueError",
        "error_message": "ValueError: bad row",
        "cancelled": False,
    }
    assert publisher.names[-1] == "job_failed"


def test_failing_on_success_runs_on_failure() -> None:
    job, publisher = make_job(execute={"rows": 1}, success_error=RuntimeError("publish down"))

    with pytest.raises(RuntimeError, match="publish down"):
        job.run()

    assert [name for name, _ in job.calls] == ["execute_job", "on_success", "on_failure"]
    assert job.calls[-1][1] == "RuntimeError: publish down"
    assert "job_succeeded" not in publisher.names
    assert publisher.names[-1] == "job_failed"


def test_failing_on_failure_keeps_the_original_error_and_attaches_the_hook_error() -> None:
    original = KeyError("missing partition")
    hook_error = OSError("alerting is down")
    job, publisher = make_job(execute=original, failure_error=hook_error)

    with pytest.raises(KeyError) as raised:
        job.run()

    assert raised.value is original
    assert raised.value.hook_error is hook_error  # type: ignore[attr-defined]
    assert "on_failure hook also failed: OSError: alerting is down" in raised.value.__notes__
    assert publisher.names[-1] == "job_failed"


def test_keyboard_interrupt_is_a_cancelled_failure() -> None:
    job, publisher = make_job(execute=KeyboardInterrupt("cancelled by SIGTERM"))

    with pytest.raises(KeyboardInterrupt):
        job.run()

    assert job.calls[-1] == ("on_failure", "KeyboardInterrupt: cancelled by SIGTERM")
    assert publisher.of("job_failed")[0].payload["cancelled"] is True


def test_run_is_final_for_type_checkers() -> None:
    assert getattr(AbstractJob.run, "__final__", False) is True


def test_error_messages_hide_secret_values() -> None:
    publisher = RecordingEventPublisher()
    job = ScriptedJob(
        execute=ValueError("login failed for s3cr3t-pw"),
        publisher=publisher,
        secrets=frozenset({"s3cr3t-pw"}),
    )

    with pytest.raises(ValueError):
        job.run()

    assert job.calls[-1] == ("on_failure", "ValueError: login failed for ***")
    assert "s3cr3t-pw" not in publisher.of("job_failed")[0].to_json()


def test_a_failing_publisher_never_fails_the_job() -> None:
    class BrokenPublisher:
        def publish(self, event: Any) -> None:
            raise BrokenPipeError("watcher went away")

    job = ScriptedJob(execute={"ok": True}, publisher=BrokenPublisher())

    assert job.run() == {"ok": True}


def test_job_started_carries_the_redacted_config_and_its_hash() -> None:
    job, publisher = make_job(execute={})
    job.run()

    started = publisher.of("job_started")[0]
    assert started.payload["config"] == {"a": 1}
    assert started.payload["config_hash"] == job.context.config_hash
    assert started.run_id == "run-1"

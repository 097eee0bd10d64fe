"""Run one job in a child process through the generic entry, as production runs it.

:func:`run_job` starts ``dwh.entry`` in a fresh interpreter (``python -c``), exactly as
``spark-submit scripts/container/generic_entry.py`` would run it. The config goes over
an unnamed file (:mod:`dwh.launch._handoff`), never the command line; the child's events
come back on a private pipe (``--events fd:N``), never mixed with Spark's log output,
and its stderr is passed through with the config's secrets hidden. The trigger runner
(:mod:`dwh.triggers`) calls it for every job of a chain.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from dwh.config import load_json_object
from dwh.errors import DwhError
from dwh.events import Event
from dwh.launch._handoff import config_handoff
from dwh.redaction import redact_config, redact_text, secret_values
from dwh.registry import find_job
from dwh.run_context import new_run_id
from dwh.runs.store import RunStore, store_path_from_env

if TYPE_CHECKING:
    from dwh.services.protocols import EventPublisher

log = logging.getLogger(__name__)

_ENTRY = "import sys; from dwh.entry import main; sys.exit(main())"
_EXIT_GRACE_SECONDS = 2.0
_STOP_TIMEOUT_SECONDS = 60.0


@dataclass
class JobRun:
    """One job run started by the runner, and how it ended.

    Attributes:
        job: The job name.
        run_id: The run id (given to the job with ``--run_id``).
        status: ``succeeded``, ``failed``, ``cancelled``, or ``rejected`` (the job
            never started: invalid config, unknown job, a bad trigger mapping, or its
            output was locked by another run).
        exit_code: The process's exit code; None if no process was started.
        config: The config it was started with, secrets redacted.
        metrics: From ``job_succeeded``.
        outputs: From ``job_succeeded``: the paths the job wrote.
        error: Why it did not succeed, one line.
        triggered_by_job: The upstream job, for a triggered run.
        triggered_by_run_id: The upstream run, for a triggered run.
        events: Every event the run published, in order.
    """

    job: str
    run_id: str
    status: str
    exit_code: int | None
    config: dict[str, Any]
    metrics: Any = None
    outputs: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    triggered_by_job: str | None = None
    triggered_by_run_id: str | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        """Whether the run succeeded."""
        return self.status == "succeeded"

    def result(self) -> dict[str, Any]:
        """What the map's source paths are resolved against."""
        ended = next((e for e in self.events if e.event == "job_succeeded"), None)
        return {
            "run_id": self.run_id,
            "job": self.job,
            "at": ended.at if ended else None,
            "metrics": self.metrics if isinstance(self.metrics, dict) else {},
            "outputs": self.outputs,
            "config": self.config,
        }


def run_job(
    job_name: str,
    config: Mapping[str, Any] | str,
    *,
    run_id: str | None = None,
    has_spark: bool | None = None,
    events: EventPublisher | None = None,
    env: Mapping[str, str] | None = None,
    stderr: IO[str] | None = None,
    spark_remote: str | None = None,
    extra_args: Sequence[str] = (),
) -> JobRun:
    """Run one job in a child process through the generic entry and wait for it.

    The child's events arrive on a private pipe and are forwarded to ``events`` as they
    come. Ctrl-C (KeyboardInterrupt) here sends SIGTERM to the child, which cancels
    the run; the result then has status ``cancelled``. If the child dies without a
    final event, its row in the run store is marked failed.

    Raises:
        UsageError: The job is unknown or the config is not a JSON object.
    """
    info = find_job(job_name)
    data = load_json_object(config, job=info.name) if isinstance(config, str) else dict(config)
    run_id = run_id or new_run_id()
    shown = redact_config(data)
    secrets = secret_values(data)
    out = stderr or sys.stderr
    read_fd, write_fd = os.pipe()
    try:
        # The config travels in an unnamed file, not on the command line (see ps).
        with config_handoff(data) as (config_argument, config_fd):
            argv = [sys.executable, "-c", _ENTRY, "--module_name", info.module]
            argv += [f"--{info.name}_job", config_argument, "--run_id", run_id]
            argv += ["--events", f"fd:{write_fd}"]
            if has_spark is not None:
                argv += ["--has_spark", "true" if has_spark else "false"]
            if spark_remote:
                argv += ["--spark_remote", spark_remote]
            argv += list(extra_args)
            proc = subprocess.Popen(
                argv,
                pass_fds=(write_fd, config_fd),
                stdin=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, **(env or {})},
                # Its own process group: Ctrl-C reaches only the runner, which then
                # cancels the child once, with SIGTERM.
                process_group=0,
            )
    finally:
        os.close(write_fd)
    run = JobRun(
        job=info.name,
        run_id=run_id,
        status="running",
        exit_code=None,
        config=shown,
        triggered_by_job=data.get("triggered_by_job"),
        triggered_by_run_id=data.get("triggered_by_run_id"),
    )
    watcher = _Watcher(proc, read_fd, out, secrets)
    cancelled = False
    try:
        watcher.collect(run, events)
    except KeyboardInterrupt:
        cancelled = True
        proc.send_signal(signal.SIGTERM)
        watcher.collect(run, events)
    try:
        run.exit_code = proc.wait(timeout=_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        run.exit_code = proc.wait()
    watcher.finish()
    _conclude(run, watcher.last_line, cancelled, env)
    return run


def _conclude(
    run: JobRun, last_line: str | None, cancelled: bool, env: Mapping[str, str] | None
) -> None:
    """Set the run's status from its final event, or from its exit code without one."""
    final = next(
        (e for e in reversed(run.events) if e.event in ("job_succeeded", "job_failed")), None
    )
    if final is not None and final.event == "job_succeeded":
        run.status = "succeeded"
        run.metrics = final.payload.get("metrics")
        run.outputs = dict(final.payload.get("outputs") or {})
        return
    if final is not None:
        run.status = "cancelled" if final.payload.get("cancelled") else "failed"
        run.error = str(final.payload.get("error_message") or final.payload.get("error_type"))
        return
    code = run.exit_code
    if cancelled or code in (130, -signal.SIGTERM, -signal.SIGINT):
        run.status = "cancelled"
    elif code in (2, 3):
        run.status = "rejected"
    else:
        run.status = "failed"
    run.error = last_line or f"the job process exited with code {code} and reported nothing"
    if any(e.event == "job_started" for e in run.events):
        _mark_in_store(run, env)


def _mark_in_store(run: JobRun, env: Mapping[str, str] | None) -> None:
    """The child died after job_started without a final event: fix its row."""
    path = store_path_from_env({**os.environ, **(env or {})})
    if path is None:
        return
    try:
        with RunStore(path) as store:
            store.settle_unreported(
                run.run_id,
                run.status,
                error=run.error,
                streamed=run.events,
                module=find_job(run.job).module,
            )
    except DwhError as exc:
        log.warning("dwh: warning: could not mark run %s in %s: %s", run.run_id, path, exc)


class _Watcher:
    """Reads a child's event pipe and stderr on threads; hands events to the caller's thread."""

    def __init__(
        self, proc: subprocess.Popen[str], read_fd: int, out: IO[str], secrets: set[str]
    ) -> None:
        self.proc = proc
        self.out = out
        self.secrets = secrets
        self.last_line: str | None = None
        self._queue: queue.Queue[Event | None] = queue.Queue()
        self._watcher_failed = False
        self._events_thread = threading.Thread(
            target=self._read_events, args=(read_fd,), daemon=True
        )
        self._stderr_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._events_thread.start()
        self._stderr_thread.start()
        self._done = False

    def collect(self, run: JobRun, events: EventPublisher | None) -> None:
        """Take events until the pipe closes (or the child is gone and the pipe is quiet)."""
        exited_waits = 0.0
        while not self._done:
            try:
                event = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    exited_waits += 0.2
                    if exited_waits >= _EXIT_GRACE_SECONDS:
                        return  # a grandchild holds the pipe open; the run is over
                continue
            if event is None:
                self._done = True
                return
            run.events.append(event)
            if events is not None:
                try:
                    events.publish(event)
                except Exception as exc:
                    if not self._watcher_failed:
                        self._watcher_failed = True
                        log.warning("dwh: warning: event watcher failed: %s", exc)

    def finish(self) -> None:
        """Wait for the stderr pass-through to drain."""
        self._stderr_thread.join(timeout=_EXIT_GRACE_SECONDS)

    def _read_events(self, read_fd: int) -> None:
        with os.fdopen(read_fd, encoding="utf-8", errors="replace") as stream:
            for line in stream:
                if not line.strip():
                    continue
                try:
                    self._queue.put(Event.from_json(line))
                except (ValueError, KeyError, TypeError):
                    log.warning("dwh: warning: skipped a malformed event line: %.80s", line)
        self._queue.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            text = redact_text(line.rstrip("\n"), self.secrets)
            if text.startswith("dwh: ") and not text.startswith(("dwh: alert:", "dwh: warning:")):
                self.last_line = text[len("dwh: ") :]
            try:
                self.out.write(text + "\n")
                self.out.flush()
            except (OSError, ValueError):
                pass

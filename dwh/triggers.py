"""The local trigger runner: run a job as production does, then the jobs its success starts.

Each job runs in its own process through the generic entry (``dwh.entry``), exactly as
``spark-submit scripts/container/generic_entry.py`` would run it. Its events come back
on a private pipe (``--events fd:N``), never mixed with Spark's log output; its stderr
is passed through. When a run succeeds, every trigger the map lists for its job fires,
in order: the downstream config is built from the trigger's ``config`` and ``map`` (see
:mod:`dwh.trigger_map`), with ``triggered_by_job`` and ``triggered_by_run_id`` set, so
the run store shows the chain (:meth:`RunStore.children <dwh.run_store.RunStore.children>`).

From Python (the CLI and the TUI use this)::

    runs = run_with_triggers("transform_images", config, trigger_map="examples/triggers.json")
    [(r.job, r.status, r.run_id, r.triggered_by_run_id) for r in runs]

From a terminal::

    python -m dwh.triggers transform_images --config @examples/configs/transform_images/demo.json \\
        --triggers examples/triggers.json
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dwh.config import load_json_object
from dwh.config_handoff import config_handoff
from dwh.errors import DwhError
from dwh.events import Event
from dwh.redaction import redact_config, redact_text, secret_values
from dwh.registry import discover_jobs, find_job, load_factory
from dwh.run_context import new_run_id
from dwh.run_store import RunStore, store_path_from_env
from dwh.trigger_map import (
    TRIGGERS_ENV,
    Trigger,
    TriggerMap,
    TriggerMapError,
    downstream_config,
)

if TYPE_CHECKING:
    from dwh.services.protocols import EventPublisher

__all__ = [
    "TRIGGERS_ENV",
    "JobRun",
    "Trigger",
    "TriggerMap",
    "TriggerMapError",
    "load_trigger_map",
    "main",
    "run_job",
    "run_with_triggers",
]

log = logging.getLogger(__name__)

_ENTRY = "import sys; from dwh.entry import main; sys.exit(main())"
_EXIT_GRACE_SECONDS = 2.0
_STOP_TIMEOUT_SECONDS = 60.0
_EXIT_CODES = {"succeeded": 0, "failed": 1, "rejected": 2, "cancelled": 130}


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


def load_trigger_map(source: TriggerMap | str | Path | None = None) -> TriggerMap:
    """Return a trigger map: the one given, the file named, ``$DWH_TRIGGERS``, or none.

    Raises:
        TriggerMapError: The file is missing or invalid.
    """
    if isinstance(source, TriggerMap):
        return source
    if source is None:
        env = os.environ.get(TRIGGERS_ENV, "").strip()
        return TriggerMap.load(env) if env else TriggerMap.empty()
    return TriggerMap.load(source)


def run_with_triggers(
    job_name: str,
    config: Mapping[str, Any] | str,
    *,
    follow: bool = True,
    trigger_map: TriggerMap | str | Path | None = None,
    events: EventPublisher | None = None,
    has_spark: bool | None = None,
    run_id: str | None = None,
    env: Mapping[str, str] | None = None,
    stderr: IO[str] | None = None,
) -> list[JobRun]:
    """Run a job through the generic entry, then, with ``follow``, the jobs it triggers.

    Runs go one at a time, depth first in the map's order: a job's downstream jobs all
    finish before its next sibling starts. A run that does not succeed triggers
    nothing; its siblings still run. A cancelled run (Ctrl-C, SIGTERM) stops the
    whole chain.

    Args:
        job_name: The first job (a name such as ``transform_images``).
        config: Its config, a dict or JSON text.
        follow: Whether to follow the trigger map after the first run.
        trigger_map: A :class:`TriggerMap`, a path to one, or None for
            ``$DWH_TRIGGERS`` (no triggers when unset).
        events: Receives every event of every run live, as it is read.
        has_spark: ``--has_spark`` for the first job; None for the job's default.
        run_id: The first run's id; a fresh one by default.
        env: Extra environment variables for the job processes.
        stderr: Where the jobs' stderr and the runner's own lines go (default stderr).

    Returns:
        Every run, in the order they were started; the first is ``job_name``'s.

    Raises:
        UsageError: The job is unknown, or the trigger map is invalid or names an
            unknown job or config field (checked before anything runs).
    """
    triggers = load_trigger_map(trigger_map) if follow else TriggerMap.empty()
    check_jobs(triggers, job_name)
    out = stderr or sys.stderr
    first = run_job(
        job_name, config, run_id=run_id, has_spark=has_spark, events=events, env=env, stderr=out
    )
    runs = [first]
    pending: list[tuple[JobRun, Trigger]] = _fired(first, triggers)
    while pending:
        upstream, trigger = pending.pop(0)
        child_id = new_run_id()
        try:
            child_config = downstream_config(
                trigger, upstream.result(), job=upstream.job, run_id=upstream.run_id
            )
        except KeyError as exc:
            child = _rejected(trigger, upstream, child_id, f"trigger mapping failed: {exc.args[0]}")
            _say(out, f"{upstream.job} → {trigger.job}: {child.error}")
        else:
            _say(
                out,
                f"trigger: {upstream.job} run {upstream.run_id} succeeded; "
                f"starting {trigger.job} run {child_id}",
            )
            child = run_job(
                trigger.job,
                child_config,
                run_id=child_id,
                has_spark=trigger.has_spark,
                events=events,
                env=env,
                stderr=out,
            )
        runs.append(child)
        if child.status == "cancelled":
            break
        pending = _fired(child, triggers) + pending
    return runs


def check_jobs(triggers: TriggerMap, start: str) -> None:
    """Check that ``start`` and every job it can trigger exist and take the mapped fields.

    Raises:
        UsageError: A job is unknown or a trigger sets a field its job does not have.
    """
    jobs = {job.name: job for job in discover_jobs()}
    find_job(start)
    triggers.check_jobs(jobs, start=start)
    for name in triggers.reachable(start):
        model = load_factory(jobs[name]).config_model
        triggers.check_config_fields(name, model.model_fields)


def run_job(
    job_name: str,
    config: Mapping[str, Any] | str,
    *,
    run_id: str | None = None,
    has_spark: bool | None = None,
    events: EventPublisher | None = None,
    env: Mapping[str, str] | None = None,
    stderr: IO[str] | None = None,
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


def _fired(run: JobRun, triggers: TriggerMap) -> list[tuple[JobRun, Trigger]]:
    return [(run, t) for t in triggers.downstream(run.job)] if run.succeeded else []


def _rejected(trigger: Trigger, upstream: JobRun, run_id: str, error: str) -> JobRun:
    return JobRun(
        job=trigger.job,
        run_id=run_id,
        status="rejected",
        exit_code=None,
        config=redact_config(dict(trigger.config)),
        error=error,
        triggered_by_job=upstream.job,
        triggered_by_run_id=upstream.run_id,
    )


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
    """The child died after job_started without a final event: fix its row.

    It may have died before its own store write landed; the events it streamed are
    then recorded here, so the run is never missing from the history.
    """
    path = store_path_from_env({**os.environ, **(env or {})})
    if path is None:
        return
    try:
        with RunStore(path) as store:
            if store.get(run.run_id) is None:
                for event in run.events:
                    store.record(event, module=find_job(run.job).module)
            record = store.get(run.run_id)
            if record is not None and record.ended_unreported:
                store.set_status(run.run_id, run.status, error=run.error)
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


def _say(out: IO[str], message: str) -> None:
    out.write(f"dwh: {message}\n")
    out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run a job and follow its triggers from the command line; return the exit code.

    Exit codes: 0 when every run succeeded; else that of the first run that did not
    (1 failed, 2 rejected, 130 cancelled); 2 for a bad invocation or trigger map.
    """
    parser = argparse.ArgumentParser(
        prog="python -m dwh.triggers",
        description="Run a job through the generic entry and follow the trigger map.",
    )
    parser.add_argument("job", help="the first job, e.g. transform_images")
    parser.add_argument("--config", default="{}", help="JSON config, or @file.json")
    parser.add_argument("--triggers", help=f"trigger map file (default ${TRIGGERS_ENV})")
    parser.add_argument("--no-follow", action="store_true", help="run only the first job")
    parser.add_argument("--has_spark", choices=("true", "false"), help="for the first job")
    args = parser.parse_args(argv)
    try:
        runs = run_with_triggers(
            args.job,
            args.config,
            follow=not args.no_follow,
            trigger_map=args.triggers,
            has_spark=None if args.has_spark is None else args.has_spark == "true",
        )
    except DwhError as err:
        print(f"dwh: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("dwh: cancelled", file=sys.stderr)
        return 130
    for run in runs:
        parent = f" (triggered by {run.triggered_by_job} run {run.triggered_by_run_id})"
        lineage = parent if run.triggered_by_run_id else ""
        print(f"dwh: chain: {run.job} run {run.run_id} {run.status}{lineage}", file=sys.stderr)
    failed = next((r for r in runs if not r.succeeded), None)
    return 0 if failed is None else _EXIT_CODES.get(failed.status, 1)


if __name__ == "__main__":
    sys.exit(main())

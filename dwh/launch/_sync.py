"""The launcher's sync face: start a run, forward its events, wait, judge it.

:func:`launch` starts the generic entry in a child process, exactly as
``spark-submit scripts/glue/generic_entry.py`` would run it. The config goes over an
unnamed file (:func:`~dwh.launch.config_handoff`), never the command line; the child's
events come back on a private pipe (``--events fd:N``), never mixed with Spark's log
output, and its stderr is passed through with the config's secrets hidden (all of it
stored as the run's log; Spark's start-up notices, ``STARTUP_NOISE``, only there). Two
threads read the pipes; the caller's thread takes the events, so a publisher given
as ``events`` runs there (and may raise KeyboardInterrupt to cancel the run).
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from dwh.config import load_json_object
from dwh.launch._command import RunRequest, child_command, child_env
from dwh.launch._handoff import config_handoff
from dwh.launch._stream import LineSplitter, LogLine, StreamProblem, read_event_line
from dwh.launch._watch import JobRun, RunWatch
from dwh.redaction import redact_text, secret_values
from dwh.registry import find_job
from dwh.run_context import new_run_id
from dwh.runs.logs import RunLogWriter
from dwh.spark.conf import STARTUP_NOISE

if TYPE_CHECKING:
    from dwh.events import Event
    from dwh.services.protocols import EventPublisher

log = logging.getLogger(__name__)

_EXIT_GRACE_SECONDS = 2.0
_STOP_TIMEOUT_SECONDS = 60.0
_CHUNK = 65536


def launch(
    job: str,
    config: Mapping[str, Any] | str,
    *,
    run_id: str | None = None,
    has_spark: bool | None = None,
    events: EventPublisher | None = None,
    env: Mapping[str, str] | None = None,
    stderr: IO[str] | None = None,
    spark_remote: str | None = None,
    extra_args: Sequence[str] = (),
    on_start: Callable[[int], None] | None = None,
) -> JobRun:
    """Run one job in a child process through the generic entry and wait for it.

    The child's events arrive on a private pipe and are forwarded to ``events`` as they
    come (``spark_progress`` included). Ctrl-C (KeyboardInterrupt) here sends SIGTERM
    to the child, which cancels the run; the result then has status ``cancelled``. If
    the child dies without a final event, its row in the run store is settled.

    Args:
        job: The job name.
        config: Its config, a dict or JSON text (``@file`` allowed).
        run_id: The run id; a fresh one by default.
        has_spark: ``--has_spark``; None for the job's default.
        events: Receives every event live.
        env: Extra environment variables for the child.
        stderr: Where the child's stderr goes, secrets hidden (default: stderr).
        spark_remote: A Spark Connect remote for the child (``--spark_remote``).
        extra_args: More run options, e.g. ``("--backfill_id", "b-1")``.
        on_start: Called with the child's pid once it runs (to cancel it from elsewhere:
            SIGTERM to that pid).

    Raises:
        UsageError: The job is unknown or the config is not a JSON object.
    """
    info = find_job(job)
    data = load_json_object(config, job=info.name) if isinstance(config, str) else dict(config)
    request = RunRequest(
        job=info.name,
        module=info.module,
        config=data,
        has_spark=has_spark,
        run_id=run_id or new_run_id(),
        spark_remote=spark_remote,
        extra_args=tuple(extra_args),
        env=dict(env or {}),
    )
    return launch_request(request, events=events, stderr=stderr, on_start=on_start)


def launch_request(
    request: RunRequest,
    *,
    events: EventPublisher | None = None,
    stderr: IO[str] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> JobRun:
    """:func:`launch` for a request already resolved to its module."""
    read_fd, write_fd = os.pipe()
    environ = child_env(request)
    try:
        with config_handoff(request.config) as (config_argument, config_fd):
            proc = subprocess.Popen(
                child_command(request, write_fd, config_argument),
                pass_fds=(write_fd, config_fd),
                stdin=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=environ,
                # Its own process group: Ctrl-C reaches only this process, which then
                # cancels the child once, with SIGTERM.
                process_group=0,
            )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    if on_start is not None:
        on_start(proc.pid)
    watch = RunWatch(request)
    run_log = RunLogWriter(request.run_id, environ=environ)
    pipes = _Pipes(proc, read_fd, stderr or sys.stderr, secret_values(request.config), run_log)
    cancelled = False
    try:
        pipes.collect(watch, events)
    except KeyboardInterrupt:
        cancelled = True
        proc.send_signal(signal.SIGTERM)
        pipes.collect(watch, events)
    try:
        exit_code = proc.wait(timeout=_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        exit_code = proc.wait()
    pipes.finish(watch)
    return watch.job_run(exit_code, watch.conclude(exit_code, cancelled=cancelled))


class _Pipes:
    """Reads a child's event pipe and stderr on threads; hands items to the caller's thread."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        read_fd: int,
        out: IO[str],
        secrets: set[str],
        run_log: RunLogWriter,
    ) -> None:
        self.proc = proc
        self.out = out
        self.secrets = secrets
        self.run_log = run_log
        self._queue: queue.Queue[Event | StreamProblem | None] = queue.Queue()
        self._stderr_lines: queue.Queue[LogLine] = queue.Queue()
        self._publisher_failed = False
        self._done = False
        self._events_thread = threading.Thread(
            target=self._read_events, args=(read_fd,), daemon=True
        )
        self._stderr_thread = threading.Thread(target=self._read_stderr, daemon=True)
        self._events_thread.start()
        self._stderr_thread.start()

    def collect(self, watch: RunWatch, events: EventPublisher | None) -> None:
        """Take events until the pipe closes (or the child is gone and the pipe is quiet)."""
        exited_waits = 0.0
        while not self._done:
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    exited_waits += 0.2
                    if exited_waits >= _EXIT_GRACE_SECONDS:
                        return  # a grandchild holds the pipe open; the run is over
                continue
            if item is None:
                self._done = True
                return
            watch.add(item)
            if isinstance(item, StreamProblem):
                log.warning("dwh: warning: skipped a malformed event line: %.80s", item.text)
            elif events is not None:
                self._publish(events, item)

    def finish(self, watch: RunWatch) -> None:
        """Wait for the stderr pass-through to drain; give its lines to ``watch``."""
        self._stderr_thread.join(timeout=_EXIT_GRACE_SECONDS)
        self.run_log.close()  # a grandchild that still writes is not the run's log
        while not self._stderr_lines.empty():
            watch.add(self._stderr_lines.get_nowait())

    def _publish(self, events: EventPublisher, event: Event) -> None:
        try:
            events.publish(event)
        except Exception as exc:
            if not self._publisher_failed:
                self._publisher_failed = True
                log.warning("dwh: warning: event watcher failed: %s", exc)

    def _read_events(self, read_fd: int) -> None:
        splitter = LineSplitter()
        try:
            while chunk := os.read(read_fd, _CHUNK):
                self._put_events(splitter.feed(chunk))
            self._put_events(splitter.end())
        finally:
            os.close(read_fd)
            self._queue.put(None)

    def _put_events(self, lines: list[str]) -> None:
        for line in lines:
            item = read_event_line(line)
            if item is not None:
                self._queue.put(item)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        splitter = LineSplitter()
        fd = self.proc.stderr.fileno()
        while chunk := os.read(fd, _CHUNK):
            self._pass_through(splitter.feed(chunk))
        self._pass_through(splitter.end())

    def _pass_through(self, lines: list[str]) -> None:
        for line in lines:
            text = redact_text(line, self.secrets)
            if text.startswith("dwh: "):  # what judging the run may need; not Spark's log
                self._stderr_lines.put(LogLine(text))
            self.run_log.write(text)
            if STARTUP_NOISE.search(text):
                continue  # stored, never printed (dwh/spark/log4j2.properties)
            try:
                self.out.write(text + "\n")
                self.out.flush()
            except (OSError, ValueError):
                pass

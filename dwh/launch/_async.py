"""The launcher's async face: start a run from an event loop and stream what it does.

The TUI starts runs here. The child is the same as the sync face's
(:func:`~dwh.launch.child_command`), with ``--events fd:N`` pointing at a pipe only
the caller reads, and its stdout and stderr merged into one log pipe, whose lines
(secrets hidden) are also stored as the run's log (:mod:`dwh.runs.logs`). Items arrive as
:data:`~dwh.launch.RunItem`; feed them to a :class:`~dwh.launch.RunWatch` to judge
the run at its end, as the sync face does. Cancelling sends SIGTERM, which the entry
turns into a cancelled run (on_failure runs, ``job_failed{cancelled: true}``, exit 130).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Protocol

from dwh.launch._command import RunRequest, child_command, child_env
from dwh.launch._handoff import config_handoff
from dwh.launch._stream import LineSplitter, LogLine, RunItem, read_event_line
from dwh.redaction import redact_text, secret_values
from dwh.runs.logs import RunLogWriter
from dwh.spark.conf import STARTUP_NOISE

KILL_AFTER_SECONDS = 10.0
DRAIN_SECONDS = 2.0
_CHUNK = 65536


class RunHandle(Protocol):
    """A started run: its items as they happen, and a way to stop it."""

    def items(self) -> AsyncIterator[RunItem]:
        """Yield events and log lines until the process has exited."""
        ...

    def terminate(self) -> None:
        """Ask the run to stop (SIGTERM)."""
        ...

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has exited."""
        ...


class Launcher(Protocol):
    """Starts runs; the TUI uses :class:`SubprocessLauncher`, tests may replay events."""

    async def launch(self, request: RunRequest) -> RunHandle:
        """Start a run."""
        ...


class SubprocessLauncher:
    """Starts the generic entry as a child process.

    Args:
        entry: The entry script (see :func:`~dwh.launch.child_command`).
    """

    def __init__(self, *, entry: Path | None = None) -> None:
        self.entry = entry

    async def launch(self, request: RunRequest) -> SubprocessRun:
        """Start the process; raises OSError if it cannot be started."""
        read_fd, write_fd = os.pipe()
        environ = child_env(request)
        try:
            with config_handoff(request.config) as (config_argument, config_fd):
                process = await asyncio.create_subprocess_exec(
                    *child_command(request, write_fd, config_argument, entry=self.entry),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                    pass_fds=(write_fd, config_fd),
                    env=environ,
                )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # the child holds the only write end now
        run_log = RunLogWriter(request.run_id, environ=environ)
        return SubprocessRun(process, read_fd, secret_values(request.config), run_log=run_log)


class SubprocessRun:
    """A running generic-entry process.

    Args:
        process: The child process, stdout and stderr merged into one pipe.
        events_fd: The read end of the events pipe.
        secrets: Values hidden from the log lines.
        run_log: Where the log lines are stored too; closed once the process has exited.
    """

    def __init__(
        self,
        process: asyncio.subprocess.Process,
        events_fd: int,
        secrets: set[str] | None = None,
        *,
        run_log: RunLogWriter | None = None,
    ) -> None:
        self.process = process
        self._events_fd = events_fd
        self._secrets = secrets or set()
        self._run_log = run_log

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has exited."""
        return self.process.returncode

    def terminate(self) -> None:
        """Send SIGTERM; SIGKILL follows if the run has not stopped in time."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            asyncio.get_running_loop().call_later(KILL_AFTER_SECONDS, self._kill)

    def _kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def _close_after_exit(self, readers: list[asyncio.Task[None]]) -> None:
        # A grandchild (Spark's JVM) may keep stdout open after the entry exits.
        await self.process.wait()
        _, pending = await asyncio.wait(readers, timeout=DRAIN_SECONDS)
        for task in pending:
            task.cancel()

    def _log_line(self, line: str) -> LogLine | None:
        text = redact_text(line, self._secrets) if self._secrets else line
        if self._run_log is not None:
            self._run_log.write(text)
        return None if STARTUP_NOISE.search(text) else LogLine(text)  # stored, not shown

    async def items(self) -> AsyncIterator[RunItem]:
        """Yield events and log lines as they arrive, until the process has exited."""
        queue: asyncio.Queue[RunItem | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        events = asyncio.StreamReader()
        pipe = os.fdopen(self._events_fd, "rb", buffering=0)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(events), pipe
        )
        assert self.process.stdout is not None
        readers = [
            asyncio.create_task(_pump(events, queue, read_event_line)),
            asyncio.create_task(_pump(self.process.stdout, queue, self._log_line)),
        ]
        closer = asyncio.create_task(self._close_after_exit(readers))
        try:
            done = 0
            while done < len(readers):
                item = await queue.get()
                if item is None:
                    done += 1
                else:
                    yield item
            await self.process.wait()
        finally:
            for task in (*readers, closer):
                task.cancel()
            transport.close()
            if self._run_log is not None:
                self._run_log.close()
            if self.process.returncode is None:
                self.terminate()


async def _pump(
    reader: asyncio.StreamReader,
    queue: asyncio.Queue[RunItem | None],
    make: Callable[[str], RunItem | None],
) -> None:
    try:
        async for line in read_lines(reader):
            item = make(line)
            if item is not None:
                queue.put_nowait(item)
    finally:
        queue.put_nowait(None)


async def read_lines(reader: asyncio.StreamReader) -> AsyncIterator[str]:
    """Split an asyncio byte stream into lines; a huge line is cut rather than an error."""
    splitter = LineSplitter()
    while chunk := await reader.read(_CHUNK):
        for line in splitter.feed(chunk):
            yield line
    for line in splitter.end():
        yield line

"""Run a job as a subprocess of the generic entry and follow its event stream.

The child is exactly what production runs (``scripts/glue/generic_entry.py``), with
``--events fd:N`` pointing at a pipe only the TUI reads. Lifecycle events arrive on
that pipe as JSON lines; everything the process prints (Spark's log included) arrives
on stdout/stderr and is kept apart. Cancelling sends SIGTERM, which the entry turns
into a cancelled run (on_failure runs, ``job_failed{cancelled: true}``, exit 130).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dwh.events import Event
from dwh.launch._handoff import config_handoff

REPO_ROOT = Path(__file__).resolve().parent.parent
ENTRY_SCRIPT = REPO_ROOT / "scripts" / "glue" / "generic_entry.py"
_ENTRY_CODE = "import sys; from dwh.entry import main; sys.exit(main())"
_CHUNK = 65536
_MAX_LINE = 4 * 1024 * 1024
KILL_AFTER_SECONDS = 10.0
DRAIN_SECONDS = 2.0


@dataclass(frozen=True)
class RunRequest:
    """One run to start.

    Attributes:
        job: The job name.
        module: The job's factory module.
        config: The validated config.
        has_spark: The ``--has_spark`` value.
        run_id: The run id to give the entry (so the TUI knows it before any event).
    """

    job: str
    module: str
    config: dict[str, Any]
    has_spark: bool
    run_id: str


@dataclass(frozen=True)
class LogLine:
    """A line the process printed (its own or Spark's log)."""

    text: str


@dataclass(frozen=True)
class StreamProblem:
    """A line on the event stream that is not a valid event."""

    text: str
    reason: str


RunItem = Event | LogLine | StreamProblem


class RunHandle(Protocol):
    """A started run: its events and log as they happen, and a way to stop it."""

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


def entry_command(request: RunRequest, events_fd: int, config_argument: str) -> list[str]:
    """The command line that starts ``request`` through the generic entry.

    ``config_argument`` is what follows ``--<job>_job``: the ``@/dev/fd/N`` of
    :func:`dwh.launch._handoff.config_handoff`, so the config is not on the command line.
    """
    if ENTRY_SCRIPT.is_file():
        head = [sys.executable, str(ENTRY_SCRIPT)]
    else:  # installed without the repository's scripts folder
        head = [sys.executable, "-c", _ENTRY_CODE]
    return [
        *head,
        "--module_name",
        request.module,
        f"--{request.job}_job",
        config_argument,
        "--has_spark",
        "true" if request.has_spark else "false",
        "--run_id",
        request.run_id,
        "--events",
        f"fd:{events_fd}",
    ]


class SubprocessLauncher:
    """Starts the generic entry as a child process."""

    async def launch(self, request: RunRequest) -> SubprocessRun:
        """Start the process; raises OSError if it cannot be started."""
        read_fd, write_fd = os.pipe()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        try:
            with config_handoff(request.config) as (config_argument, config_fd):
                process = await asyncio.create_subprocess_exec(
                    *entry_command(request, write_fd, config_argument),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                    pass_fds=(write_fd, config_fd),
                    env=env,
                )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # the child holds the only write end now
        return SubprocessRun(process, read_fd)


class SubprocessRun:
    """A running generic-entry process.

    Args:
        process: The child process, stdout and stderr merged into one pipe.
        events_fd: The read end of the events pipe.
    """

    def __init__(self, process: asyncio.subprocess.Process, events_fd: int) -> None:
        self.process = process
        self._events_fd = events_fd

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

    async def _close_after_exit(self, readers: list[asyncio.Task[None]]) -> None:
        # A grandchild (Spark's JVM) may keep stdout open after the entry exits.
        await self.process.wait()
        _, pending = await asyncio.wait(readers, timeout=DRAIN_SECONDS)
        for task in pending:
            task.cancel()

    def _kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    async def items(self) -> AsyncIterator[RunItem]:
        """Yield events and log lines as they arrive, until the process has exited."""
        queue: asyncio.Queue[RunItem | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        events = asyncio.StreamReader(limit=_MAX_LINE)
        pipe = os.fdopen(self._events_fd, "rb", buffering=0)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(events), pipe
        )
        assert self.process.stdout is not None
        readers = [
            asyncio.create_task(_pump(events, queue, _event_item)),
            asyncio.create_task(_pump(self.process.stdout, queue, LogLine)),
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
            if self.process.returncode is None:
                self.terminate()


async def _pump(
    reader: asyncio.StreamReader,
    queue: asyncio.Queue[RunItem | None],
    make: Callable[[str], RunItem | None],
) -> None:
    try:
        async for line in _lines(reader):
            item = make(line)
            if item is not None:
                queue.put_nowait(item)
    finally:
        queue.put_nowait(None)


async def _lines(reader: asyncio.StreamReader) -> AsyncIterator[str]:
    """Split a byte stream into lines; a huge line is cut rather than an error."""
    buffer = b""
    while True:
        chunk = await reader.read(_CHUNK)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", errors="replace").rstrip("\r")
        if len(buffer) > _MAX_LINE:
            yield buffer[:_MAX_LINE].decode("utf-8", errors="replace") + " [line cut]"
            buffer = b""
    if buffer:
        yield buffer.decode("utf-8", errors="replace")


def _event_item(line: str) -> RunItem | None:
    if not line.strip():
        return None
    try:
        return Event.from_json(line)
    except (ValueError, KeyError, TypeError) as exc:
        return StreamProblem(line, f"not an event: {type(exc).__name__}: {exc}")

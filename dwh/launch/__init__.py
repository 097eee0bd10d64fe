"""Launching a run: the one way a job is started as a child process and judged.

The TUI, the trigger runner and ``dwh run --follow`` all start jobs here, through the
production generic entry. One contract, two faces (as httpx's transports):

- the child: :class:`RunRequest` and :func:`child_command` (the command line, with the
  config handed over in an unnamed file by :func:`config_handoff`);
- the stream: :data:`RunItem` (an :class:`~dwh.events.Event`, a :class:`LogLine` or a
  :class:`StreamProblem`), read by :func:`read_event_line`;
- the judgement: :class:`RunWatch` keeps what a run streamed, and :func:`outcome` says
  how it ended (an :class:`Outcome` with a :class:`~dwh.events.RunStatus`), settling
  the run store when the process could not;
- the sync face :func:`launch` returns a :class:`JobRun`;
- the async face, :class:`SubprocessLauncher` (a :class:`Launcher`), yields a
  :class:`RunHandle` whose items stream as they come.

::

    run = launch("noop", {"message": "hi"}, has_spark=False)
    run.status, run.exit_code, run.metrics
"""

from __future__ import annotations

from dwh.launch._async import Launcher, RunHandle, SubprocessLauncher, SubprocessRun
from dwh.launch._command import ENTRY_PATH, RunRequest, child_command, child_env
from dwh.launch._handoff import config_handoff
from dwh.launch._outcome import Outcome, exit_code_for, outcome
from dwh.launch._stream import LogLine, RunItem, StreamProblem, read_event_line
from dwh.launch._sync import launch, launch_request
from dwh.launch._watch import JobRun, RunWatch

__all__ = [
    "ENTRY_PATH",
    "JobRun",
    "Launcher",
    "LogLine",
    "Outcome",
    "RunHandle",
    "RunItem",
    "RunRequest",
    "RunWatch",
    "StreamProblem",
    "SubprocessLauncher",
    "SubprocessRun",
    "child_command",
    "child_env",
    "config_handoff",
    "exit_code_for",
    "launch",
    "launch_request",
    "outcome",
    "read_event_line",
]

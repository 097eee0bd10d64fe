"""The thin client of the warm runner: hand a run over, relay signals, return its code.

Two callers:

- ``dwh run ... --warm`` (:func:`dwh.cli.main`, before click is imported) hands its
  whole command line over (``target="cli"``): the runner's child runs ``dwh`` itself;
- a launched warm run (the TUI, ``--follow --warm``, a backfill's dates) is started as
  ``python -m dwh.spark._runner_client PYTHON ENTRY ARGS...`` by
  :func:`dwh.launch.child_command`: the entry's arguments are handed over
  (``target="entry"``), and when the runner is gone or refuses, this process becomes
  that very command (``execv``), today's path, after one line on stderr.

The child gets this process's file descriptors (``SCM_RIGHTS``: stdin, stdout, stderr
and any other inheritable one, at the same numbers), environment, working directory,
umask and ``sys.path``, so its output reaches the terminal or the caller's pipes
directly. SIGINT, SIGTERM and SIGHUP here are relayed to the child's process group;
the child's exit code is returned, and a child killed by a signal makes this process
die of the same signal. Only the standard library, :mod:`dwh.settings` and
:mod:`dwh.spark.runner` are imported: the point is to start fast.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from dwh.processes import pid_alive
from dwh.settings import warm_runner_enabled
from dwh.spark._discovery import read_recorded
from dwh.spark._runner_wire import MAX_FDS, Channel, WireError
from dwh.spark.runner import read_record, socket_address, socket_path, start_runner

__all__ = ["RunnerUnavailable", "hand_off", "hand_off_or_say", "main"]

_RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_CONNECT_TIMEOUT_S = 5.0


class RunnerUnavailable(Exception):
    """The runner can't take the run; the run goes today's way.

    Attributes:
        reason: Why, for the one line (None: say nothing, e.g. no server runs at all).
    """

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason or "no warm runner")
        self.reason = reason


def hand_off(target: str, argv: Sequence[str], *, argv0: str, path0: str | None) -> int:
    """Have the runner's child run ``argv``; return its exit code.

    Args:
        target: ``"cli"`` (the ``dwh`` command line) or ``"entry"`` (the generic entry).
        argv: The arguments, without the program.
        argv0: The child's ``sys.argv[0]``.
        path0: The child's ``sys.path[0]`` (what that command would have had), or
            None for none (``python -P``, ``PYTHONSAFEPATH``).

    Raises:
        RunnerUnavailable: Nothing ran; the caller runs it today's way.
    """
    channel = _connect()
    fds = _inheritable_fds(channel.sock.fileno())
    try:
        channel.send(
            {
                "target": target,
                "argv": list(argv),
                "argv0": argv0,
                "path0": path0,
                "sys_path": sys.path if sys.flags.safe_path else sys.path[1:],
                "executable": sys.executable,
                "env": dict(os.environ),
                "cwd": os.getcwd(),
                "umask": _umask(),
                "fds": fds,
            },
            fds,
        )
        reply, _ = channel.receive()
    except (OSError, WireError) as exc:
        channel.sock.close()
        raise RunnerUnavailable(f"it did not answer: {exc}") from exc
    if reply is None or "started" not in reply:
        channel.sock.close()
        reason = (reply or {}).get("refused") or "it closed the connection"
        if (reply or {}).get("quiet"):
            raise RunnerUnavailable(None)
        raise RunnerUnavailable(str(reason))
    return _follow(channel, int(reply["started"]))


def hand_off_or_say(
    target: str, argv: Sequence[str], *, argv0: str, path0: str | None
) -> int | None:
    """:func:`hand_off`, or None after saying in one line why it did not (stderr).

    A runner that is gone is started again in the background, for the next run.
    """
    if not warm_runner_enabled():
        return None
    try:
        return hand_off(target, argv, argv0=argv0, path0=path0)
    except RunnerUnavailable as why:
        if why.reason is not None:
            print(f"dwh: warm runner: {why.reason}; this run starts without it", file=sys.stderr)
        return None


def _connect() -> Channel:
    path = socket_path()
    try:
        info = os.stat(path)
    except OSError:
        raise RunnerUnavailable(_absent()) from None
    if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise RunnerUnavailable(
            f"its socket {path} is not this user's alone (mode {stat.S_IMODE(info.st_mode):o}, "
            f"owner {info.st_uid}): refused"
        )
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(_CONNECT_TIMEOUT_S)
    try:
        sock.connect(socket_address(path))
    except OSError:
        sock.close()
        raise RunnerUnavailable(_absent()) from None
    sock.settimeout(None)
    return Channel(sock)


def _absent() -> str | None:
    """Why no runner answered, and a new one started; None when no server runs either."""
    server = read_recorded()
    if server is None or not pid_alive(server.pid):
        return None  # the run starts the server, and the server's start starts a runner
    record = read_record() or {}
    pid = record.get("pid")
    start_runner(wait=False)
    if isinstance(pid, int):
        return f"the runner (pid {pid}) is gone; a new one is starting"
    return "none is running; one is starting"


def _follow(channel: Channel, child: int) -> int:
    """Relay signals to the child until the runner says how it ended."""

    def relay(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(OSError):
            channel.send({"signal": signum})

    previous = {sig: signal.signal(sig, relay) for sig in _RELAYED}
    try:
        while True:
            try:
                message, _ = channel.receive()
            except (OSError, WireError):
                message = None
            if message is None:
                return _lost(child)
            if "exit" in message:
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        channel.sock.close()
    killed = message.get("signal")
    if isinstance(killed, int) and killed > 0:
        _die_of(killed)
    code = message.get("exit")
    return code if isinstance(code, int) else 1


def _lost(child: int) -> int:
    """The runner went away mid-run: wait for the child, whose code is lost with it."""
    while pid_alive(child):
        time.sleep(0.2)
    print(
        f"dwh: warm runner: it went away during the run (child pid {child}); "
        "the run's exit code is lost",
        file=sys.stderr,
    )
    return 1


def _die_of(signum: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    time.sleep(1.0)  # the signal is delivered before this ends


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _inheritable_fds(own: int) -> list[int]:
    """This process's inheritable descriptors (what an ``exec`` would keep), stdio first."""
    try:
        listed = sorted(int(name) for name in os.listdir("/dev/fd"))
    except OSError:
        listed = [0, 1, 2]
    fds = []
    for fd in listed:
        if fd == own:
            continue
        with contextlib.suppress(OSError):
            if os.get_inheritable(fd):
                fds.append(fd)
    return fds[:MAX_FDS]


def _entry_head(command: Sequence[str]) -> tuple[str, str | None, list[str]]:
    """``argv0``, ``path0`` and the entry's arguments of ``PYTHON SCRIPT|-c CODE ARGS...``."""
    safe = bool(os.environ.get("PYTHONSAFEPATH"))
    if command[1] == "-c":
        return "-c", None if safe else "", list(command[3:])
    script = command[1]
    return script, None if safe else os.path.dirname(os.path.realpath(script)), list(command[2:])


def main(command: list[str]) -> Any:
    """``python -m dwh.spark._runner_client PYTHON ENTRY ARGS...``: a launched warm run."""
    argv0, path0, args = _entry_head(command)
    code = hand_off_or_say("entry", args, argv0=argv0, path0=path0)
    if code is not None:
        return code
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)  # today's path, in this very process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

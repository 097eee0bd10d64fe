"""The warm runner's child: become the caller's process, then run its command.

Right after ``fork()`` the child still is the runner: its signal handlers, its file
descriptors, its environment. :func:`become` makes it the process the caller would
have started: a new process group (the caller relays signals to it), default signal
handlers, the caller's descriptors at their numbers (stdin, stdout, stderr and any
other inheritable one, e.g. a launched run's events pipe and config file), Python's
standard streams rebuilt on them as the interpreter builds them at start-up
(line-buffered on a terminal, ``PYTHONUNBUFFERED`` honoured), the caller's environment,
working directory, umask, ``sys.argv`` and ``sys.path``, and an empty ``__main__``.
:func:`run` then calls ``dwh``'s command line or the generic entry, whose exit code
becomes the child's, through the interpreter's normal exit (atexit hooks, threads).
"""

from __future__ import annotations

import fcntl
import importlib
import io
import os
import signal
import sys
import tempfile
import types
from collections.abc import Mapping
from typing import Any

__all__ = ["become", "run"]


def become(request: Mapping[str, Any], received: list[int]) -> None:
    """Turn the freshly forked child into the caller's process (see the module)."""
    os.setpgid(0, 0)
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = {str(k): str(v) for k, v in dict(request["env"]).items()}
    _place_fds(received, [int(fd) for fd in request["fds"]])
    _rebuild_stdio(env)
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # found again from the caller's TMPDIR, as in a new process
    os.umask(int(request["umask"]))
    os.chdir(str(request["cwd"]))
    sys.argv = [str(request["argv0"]), *map(str, request["argv"])]
    head = [] if request["path0"] is None else [str(request["path0"])]
    sys.path[:] = [*head, *map(str, request["sys_path"])]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    main = types.ModuleType("__main__")
    main.__file__ = str(request["argv0"])
    sys.modules["__main__"] = main


def run(request: Mapping[str, Any]) -> int:
    """Run the request's command; return its exit code."""
    argv = [str(arg) for arg in request["argv"]]
    if request["target"] == "cli":
        from dwh.cli import main as cli_main

        return cli_main(argv)
    from dwh.entry import main as entry_main

    return entry_main(argv)


def _place_fds(received: list[int], targets: list[int]) -> None:
    """Put each received descriptor at its number in the caller; close the copies."""
    if len(received) != len(targets):
        raise OSError(f"got {len(received)} descriptors for {len(targets)}")
    floor = max([*received, *targets, 2]) + 1
    moved = []
    for fd in received:
        moved.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor))
        os.close(fd)
    for fd, target in zip(moved, targets, strict=True):
        os.dup2(fd, target, inheritable=True)
    for fd in moved:
        os.close(fd)


def _rebuild_stdio(env: Mapping[str, str]) -> None:
    """``sys.stdin``/``stdout``/``stderr`` on fds 0-2, as a new interpreter makes them."""
    unbuffered = bool(env.get("PYTHONUNBUFFERED"))
    encoding, _, errors = env.get("PYTHONIOENCODING", "").partition(":")
    encoding = encoding or sys.getfilesystemencoding()
    streams: list[Any] = []
    for fd, mode in ((0, "r"), (1, "w"), (2, "w")):
        raw = io.FileIO(fd, mode, closefd=False)
        tty = raw.isatty()
        if mode == "r":
            stream = io.TextIOWrapper(
                io.BufferedReader(raw), encoding, errors or "strict", line_buffering=tty
            )
        else:
            buffered: Any = raw if unbuffered else io.BufferedWriter(raw)
            stream = io.TextIOWrapper(
                buffered,
                encoding,
                errors or ("backslashreplace" if fd == 2 else "strict"),
                line_buffering=(fd == 2 or tty) and not unbuffered,
                write_through=unbuffered,
            )
        streams.append(stream)
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams  # type: ignore[misc]

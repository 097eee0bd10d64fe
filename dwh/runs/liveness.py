"""Is a process still alive? One answer for the lock files, commit leftovers and run store.

A process is alive when the kernel still runs it. A zombie (exited, not yet waited for
by its parent) is dead: its work has stopped, and a SIGKILLed job stays a zombie until
whoever started it reaps it. A process of another user is alive (``EPERM``).
"""

from __future__ import annotations

import os
import socket


def pid_alive(pid: int) -> bool:
    """Return whether ``pid`` names a running process on this host."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def this_host() -> str:
    """The host name that lock files and run-store rows record."""
    return socket.gethostname()


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False  # no /proc (macOS): trust kill(0)
    return state in (b"Z", b"X")

"""Facts about processes on this host: alive or not, since when, how much memory, with what.

One answer for everything that asks (the output locks, the commit leftovers, the run
store, the local Spark server's status):

- A process is alive when the kernel still runs it. A zombie (state ``Z``, exited and
  not yet waited for by its parent) or a dying one (``X``) is dead: its work has
  stopped, and a SIGKILLed job stays a zombie until whoever started it reaps it.
- A process of another user is alive (``kill(pid, 0)`` fails with ``EPERM``).
- Memory is resident (RSS, which counts a page shared by forked processes once per
  process) or proportional (PSS, each shared page split between its sharers, so a tree's
  PSS adds up to what it really holds) and unique (USS, the pages only it holds: what
  ending it returns), from ``/proc/<pid>/smaps_rollup``.
- Where ``/proc`` is missing (macOS), ``kill(pid, 0)`` alone decides, and uptime,
  memory, command line and environment are unknown (None).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Memory",
    "children_map",
    "cmdline",
    "descendants",
    "environ_of",
    "memory",
    "pid_alive",
    "rss_bytes",
    "terminate",
    "this_host",
    "tree_rss_bytes",
    "uptime_s",
    "wait_gone",
]


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


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait until ``pid`` has exited (or is a zombie); return whether it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return False


def terminate(pid: int, timeout: float) -> None:
    """SIGTERM ``pid``, wait up to ``timeout`` seconds, then SIGKILL it (5 s more)."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGTERM)
    if not wait_gone(pid, timeout):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        wait_gone(pid, 5.0)


def this_host() -> str:
    """The host name that lock files and run-store rows record."""
    return socket.gethostname()


def uptime_s(pid: int) -> float | None:
    """Seconds since ``pid`` started, from ``/proc`` (None where that is unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat; 3 fields precede the ")"
        boot_uptime = float(Path("/proc/uptime").read_text().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return round(max(0.0, boot_uptime - started_ticks / ticks), 1)


def rss_bytes(pid: int) -> int | None:
    """The resident memory of ``pid`` in bytes, from ``/proc`` (None where unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class Memory:
    """A process's memory in bytes: proportional (PSS) and unique (USS)."""

    pss: int
    uss: int

    def __add__(self, other: Memory) -> Memory:
        return Memory(self.pss + other.pss, self.uss + other.uss)


def memory(pid: int) -> Memory | None:
    """The PSS and USS of ``pid`` from ``/proc/<pid>/smaps_rollup`` (None if unreadable)."""
    fields: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Private_Clean", "Private_Dirty"):
                fields[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    if "Pss" not in fields:
        return None  # a zombie, or a kernel without smaps_rollup
    return Memory(fields["Pss"], fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0))


def cmdline(pid: int) -> list[str] | None:
    """The arguments ``pid`` was started with (None when unreadable or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.decode("utf-8", "replace").split("\0")[:-1] or None


def environ_of(pid: int) -> dict[str, str] | None:
    """The environment ``pid`` was started with (None when unreadable: another user's)."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    pairs = (entry.partition("=") for entry in raw.decode("utf-8", "replace").split("\0"))
    return {key: value for key, _, value in pairs if key}


def children_map() -> dict[int, list[int]]:
    """Every process's children, by parent pid, from one pass over ``/proc``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return children


def descendants(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """The pids of ``pid``'s children, their children and so on (not ``pid`` itself)."""
    tree = children_map() if children is None else children
    found: list[int] = []
    todo = list(tree.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(tree.get(child, []))
    return found


def tree_rss_bytes(pid: int) -> int | None:
    """The resident memory of ``pid`` and its descendants (the server's Python workers)."""
    own = rss_bytes(pid)
    if own is None:
        return None
    return own + sum(rss_bytes(child) or 0 for child in descendants(pid))


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False  # no /proc (macOS): trust kill(0)
    return state in (b"Z", b"X")

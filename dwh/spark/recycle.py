"""Restart the local Spark server when it has grown past its memory ceiling, while idle.

Ending each released session's Python workers (:mod:`dwh.spark.workers`) keeps the
process count flat, but a JVM that serves sessions all day still holds what pyspark
4.3 keeps per session until it stops (a worker factory object and its threads, per
session; heap the collector has not returned). So the server has a ceiling,
``$DWH_SPARK_MAX_MEMORY`` (the whole tree's PSS; ``3g`` by default, ``off`` to never
restart): when a warm run releases its session and the tree is past it, the server is
restarted at once if it is idle, in a detached child (:mod:`dwh.spark._recycle`), with
one line on stderr. Idle means no client holds a connection to its port: every warm
run, backfill date, spare being prepared and notebook session keeps one while it
lives. The child checks again under the discovery file's lock, hides the discovery
file first (so a run starting meanwhile waits for the new server instead of
connecting to the old one), waits a grace period for a run that read the address just
before, and gives up, restoring the file, if anyone connected.

Light: no pyspark import; the restart itself happens in the child.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from dwh.errors import UsageError
from dwh.settings import SPARK_MAX_MEMORY_ENV, is_off, spark_max_memory_setting
from dwh.spark._discovery import Recorded, recorded_at
from dwh.spark.workers import server_tree

__all__ = ["DEFAULT_CEILING", "connected_clients", "max_memory_bytes", "recycle_if_due"]

DEFAULT_CEILING = "3g"
"""The default ceiling: four times a freshly started server's tree (about 0.7 GB)."""

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_ESTABLISHED = "01"


def max_memory_bytes() -> int | None:
    """The ceiling in bytes, or None when it is off.

    Raises:
        UsageError: ``$DWH_SPARK_MAX_MEMORY`` is not a size (one line says which values go).
    """
    raw = spark_max_memory_setting() or DEFAULT_CEILING
    if is_off(raw):
        return None
    match = _SIZE.match(raw)
    if match is None or float(match.group(1)) <= 0:
        raise UsageError(
            f"{SPARK_MAX_MEMORY_ENV}={raw!r} is not a memory size: use a number of bytes "
            "with an optional k, m, g or t suffix (3g, 2500m), or off"
        )
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def recycle_if_due(remote: str) -> bool:
    """Restart the local server ``remote`` names if it is past its ceiling and idle.

    Returns:
        True when a restart was started (one line on stderr says so); never raises.
    """
    try:
        ceiling = max_memory_bytes()
    except UsageError:
        return False  # ``dwh spark status`` says what is wrong with it
    recorded = recorded_at(remote)
    if ceiling is None or recorded is None:
        return False
    total = server_tree(recorded.pid).total
    if total is None or total.pss <= ceiling or not _settles_idle(recorded):
        return False
    try:
        subprocess.Popen(
            [sys.executable, "-m", "dwh.spark._recycle", str(recorded.pid)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        return False
    print(
        f"dwh: the Spark server holds {total.pss / 2**30:.1f} GiB, past its "
        f"{SPARK_MAX_MEMORY_ENV} ceiling of {ceiling / 2**30:.1f} GiB: restarting it "
        "now that it is idle",
        file=sys.stderr,
    )
    return True


def connected_clients(port: int) -> int:
    """How many TCP connections to the loopback ``port`` are established (Linux ``/proc``).

    Counted on the server's side (local port ``port``), IPv4 and IPv6; where ``/proc``
    is missing this reads 0.
    """
    wanted = f"{port:04X}"
    found = 0
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == _ESTABLISHED:
                if fields[1].rsplit(":", 1)[-1] == wanted:
                    found += 1
    return found


def _settles_idle(recorded: Recorded, within_s: float = 0.5) -> bool:
    """Whether the server is idle, allowing the caller's own channel a moment to close."""
    deadline = time.monotonic() + within_s
    while connected_clients(recorded.port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True

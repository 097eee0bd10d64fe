"""The local server's Python workers: which session each serves, and ending a released one's.

pyspark 4.3's Connect server keeps one Python worker factory per server-side session,
keyed by the session's artifact UUID, and stops none of them until the server ends
(SPARK-54055; apache/spark PR #55131 is the upstream fix). Each factory's daemon
(``python -m pyspark.daemon``, a direct child of the server's JVM, leader of its own
process group) and the workers it forks carry that UUID in their environment as
``SPARK_JOB_ARTIFACT_UUID``. It is the server-side session id (the JVM session's
``sessionUUID``), which the server returns in every response and the Connect client
keeps (``client._server_session_id``); it is not the client's ``session_id``.

So the one who releases a session knows exactly which daemon served it:
:func:`server_side_id` before the session ends, :func:`end_session_workers` after. The
daemon of any other session (a concurrent warm run, a backfill slot, a spare, a notebook
kernel) carries another UUID and is never signalled. The daemon gets SIGTERM through its
process group, which takes its forked workers with it; the JVM reaps the daemon.

Light: no pyspark import, only ``/proc`` (elsewhere nothing is found and nothing ended).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from dataclasses import dataclass
from typing import Any

from dwh.processes import (
    Memory,
    children_map,
    cmdline,
    descendants,
    environ_of,
    memory,
    pid_alive,
)
from dwh.spark._discovery import is_connect_server, recorded_at

__all__ = [
    "ARTIFACT_ENV",
    "ServerTree",
    "Worker",
    "end_released_workers",
    "end_session_workers",
    "python_workers",
    "server_side_id",
    "server_tree",
]

ARTIFACT_ENV = "SPARK_JOB_ARTIFACT_UUID"
"""The variable the server sets on each session's Python worker daemon."""

_DAEMON_MODULE = "pyspark.daemon"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Worker:
    """One Python process under the server: a session's daemon or a worker it forked."""

    pid: int
    artifact_uuid: str | None
    daemon: bool


@dataclass(frozen=True)
class ServerTree:
    """The server's process tree: its JVM and every process below it.

    Attributes:
        jvm: The JVM's own memory.
        total: The memory of the JVM and every descendant (PSS adds up without counting
            a page two forked workers share twice).
        processes: How many live processes are below the JVM (a zombie it has not yet
            reaped, such as a start-up script's shell, holds nothing and is not counted).
        workers: How many of them are Python workers (daemons and forked workers).
    """

    jvm: Memory | None
    total: Memory | None
    processes: int
    workers: int


def python_workers(server_pid: int) -> list[Worker]:
    """The Python worker processes below the server JVM ``server_pid``."""
    children = children_map()
    direct = set(children.get(server_pid, []))
    found = []
    for pid in descendants(server_pid, children):
        args = cmdline(pid) or []
        if _DAEMON_MODULE not in args:
            continue
        env = environ_of(pid) or {}
        found.append(Worker(pid, env.get(ARTIFACT_ENV), daemon=pid in direct))
    return found


def server_tree(server_pid: int) -> ServerTree:
    """Count and measure the server's process tree (unknown parts read as None)."""
    below = [pid for pid in descendants(server_pid) if pid_alive(pid)]  # not zombies
    jvm = memory(server_pid)
    total = jvm
    for pid in below:
        own = memory(pid)
        if total is not None and own is not None:
            total = total + own
    workers = sum(1 for pid in below if _DAEMON_MODULE in (cmdline(pid) or []))
    return ServerTree(jvm=jvm, total=total, processes=len(below), workers=workers)


def server_side_id(session: Any) -> str | None:
    """The server-side id of a Connect ``session``: its workers' artifact UUID.

    None before the session's first answer from the server (then it has no workers) or
    for a classic session.
    """
    client = getattr(session, "client", None)
    value = getattr(client, "_server_session_id", None)
    return value if isinstance(value, str) and value else None


def end_session_workers(server_pid: int, artifact_uuid: str) -> list[int]:
    """SIGTERM the daemons (and their workers) of one released session; return their pids.

    Only a daemon that is a direct child of ``server_pid`` and whose environment names
    ``artifact_uuid`` is signalled, through its own process group (pyspark's daemon
    makes one); a daemon still in the JVM's group (just started) gets the signal alone,
    and its handler ends its workers.
    """
    if not artifact_uuid or artifact_uuid == "default":
        return []
    ended = []
    for worker in python_workers(server_pid):
        if not worker.daemon or worker.artifact_uuid != artifact_uuid:
            continue
        with contextlib.suppress(OSError):
            if os.getpgid(worker.pid) == worker.pid:
                os.killpg(worker.pid, signal.SIGTERM)
            else:
                os.kill(worker.pid, signal.SIGTERM)
            ended.append(worker.pid)
    return ended


def end_released_workers(remote: str, artifact_uuid: str | None) -> list[int]:
    """End the workers of a session just released on ``remote``; never raises.

    Only on dwh's own local server (the discovery file's), whose processes are this
    host's; another server's workers are out of reach and left alone.
    """
    if not artifact_uuid:
        return []
    recorded = recorded_at(remote)
    if recorded is None or not is_connect_server(recorded.pid):
        return []
    try:
        return end_session_workers(recorded.pid, artifact_uuid)
    except OSError as exc:
        log.debug("could not end the released session's Python workers: %s", exc)
        return []

"""A fresh server-side session, ready for the next warm run, with its Python workers up.

Spark Connect gives every session its own Python worker daemon on the server (the
factory is keyed by the session's artifact id), and starting it is most of a warm run's
fixed cost: about 1 s idle, 2 s loaded, on this machine, at the run's first Python step
(a UDF, ``mapInArrow``, ``mapInPandas``). Reusing one session across runs would remove
it, but runs must stay isolated (a temp view, a conf or a cached table of one run never
seen by the next), so this module keeps one *spare* session instead:

- when a warm run ends, :func:`start_prewarm` starts a short child process that opens a
  new session on the local server, runs one trivial Arrow step there (which starts the
  session's daemon and a worker per core), and records the session in
  ``$DWH_HOME/spark/prewarmed/<session_id>.json``; ``dwh spark start`` does the same;
- the next warm run :func:`claim`\\ s it: the file is renamed away (so two runs never
  claim the same one), and the run attaches to the session by id, then ends it as it
  ends any session of its own.

The spare session has run nothing but that step, in a function the child defines in
``__main__`` (pickled by value), so its workers have imported none of the job's code: an
edit still reaches the next run. Only dwh's own local server (the one the discovery
file records) gets a spare; a spare recorded for another server process is dropped. A
child that fails leaves no file, and the next run opens a session the usual way.
``DWH_SPARK_PREWARM=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dwh.processes import pid_alive
from dwh.settings import spark_prewarm_enabled
from dwh.spark._discovery import Recorded, discovery_path, recorded_at
from dwh.spark.remote import with_session_id
from dwh.spark.workers import end_session_workers

__all__ = [
    "MAX_SPARE_AGE_S",
    "claim",
    "prewarm_dir",
    "record_spare",
    "spare_ready",
    "start_prewarm",
]

MAX_SPARE_AGE_S = 30 * 60
"""A spare older than this is dropped: the server ends a session idle for an hour
(``spark.connect.session.manager.defaultSessionTimeout``) and then refuses its id."""


_PREPARING = "preparing.pid"


def prewarm_dir() -> Path:
    """Return the folder of spare sessions, beside the discovery file."""
    return discovery_path().parent / "prewarmed"


def claim(remote: str) -> str | None:
    """Take the spare session of the local server ``remote`` names, if one is ready.

    Returns:
        ``remote`` naming the claimed session, or None (no spare, another server, off).
    """
    recorded = _local_server(remote)
    if recorded is None:
        return None
    for path in _spares(recorded):
        taken = path.with_name(f"{path.stem}.claimed-{os.getpid()}")
        try:
            path.rename(taken)  # atomic: of two runs, one wins
        except OSError:
            continue
        with contextlib.suppress(OSError):
            taken.unlink()
        return with_session_id(remote, path.stem)
    return None


def spare_ready(remote: str) -> bool:
    """Return True when a usable spare waits on the local server ``remote`` names."""
    recorded = _local_server(remote)
    return recorded is not None and bool(_spares(recorded))


def start_prewarm(remote: str) -> subprocess.Popen[bytes] | None:
    """Prepare a spare session on the local server, in a child process, without waiting.

    Returns:
        The child, or None when there is nothing to do (one is ready, another server, off).
    """
    recorded = _local_server(remote)
    if recorded is None:
        return None
    if _spares(recorded) or _preparing():
        return None
    child = subprocess.Popen(
        [sys.executable, "-m", "dwh.spark._prewarm_child", remote, str(recorded.pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    with contextlib.suppress(OSError):
        prewarm_dir().mkdir(parents=True, exist_ok=True)
        (prewarm_dir() / _PREPARING).write_text(str(child.pid), encoding="utf-8")
    return child


def _preparing() -> bool:
    """Whether a child is preparing a spare already: runs that end one after another
    start one child, not one each (every spare holds a daemon and a worker per core)."""
    try:
        pid = int((prewarm_dir() / _PREPARING).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return False
    return pid_alive(pid)


def _local_server(remote: str) -> Recorded | None:
    """The recorded local server when ``remote`` is it and spares are on, else None."""
    return recorded_at(remote) if spark_prewarm_enabled() else None


def record_spare(session_id: str, server_pid: int, artifact_uuid: str | None = None) -> Path:
    """Record a ready session as the spare of the server process ``server_pid``.

    ``artifact_uuid`` is its workers' (:func:`dwh.spark.workers.server_side_id`).
    """
    folder = prewarm_dir()
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".{session_id}.tmp"
    record = {"server_pid": server_pid, "ready_at": time.time(), "artifact_uuid": artifact_uuid}
    draft.write_text(json.dumps(record), encoding="utf-8")
    return draft.replace(folder / f"{session_id}.json")


def _spares(server: Recorded) -> list[Path]:
    """The usable spares of ``server``, oldest name first; drop the others.

    A spare recorded for another server process is gone with it. One older than
    :data:`MAX_SPARE_AGE_S` may have timed out on the server, which then refuses its id;
    no one can claim it once its file is gone, so its Python workers are ended.
    """
    usable = []
    for path in sorted(prewarm_dir().glob("*.json")):
        artifact = None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            artifact = record.get("artifact_uuid")
            fresh = time.time() - float(record["ready_at"]) < MAX_SPARE_AGE_S
            mine = int(record["server_pid"]) == server.pid
        except FileNotFoundError:
            continue  # claimed meanwhile
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            fresh = mine = False
        if fresh and mine:
            usable.append(path)
            continue
        try:
            path.unlink()
        except OSError:
            continue  # claimed or dropped meanwhile: not ours to end
        if mine and isinstance(artifact, str):
            end_session_workers(server.pid, artifact)
    return usable

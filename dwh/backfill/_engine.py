"""How one date of a backfill is started: the one call to the launcher, cold or warm.

Both engines start the date as its own child process through the generic entry
(:mod:`dwh.launch`), with the same events, run store, locks and alerts as any run.
``cold`` lets the child build its own Spark session, as production does; ``warm``
gives it a Spark Connect session on the reusable local server, so the JVM starts once
for the whole backfill.

A warm backfill's dates also share server-side sessions (:class:`SharedSessions`):
the server starts Python workers per session (about 2 s on this machine), so one
session per parallel slot, reused date after date, starts them once per slot instead of
once per date. The dates run one after another in a slot, as they would in a
production job's loop; a temp view or SQL conf a date leaves is visible to the next date
of the same slot, and the sessions end when the backfill does.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import IO, Any

from dwh.launch import JobRun, launch
from dwh.spark.remote import remote_session_id, with_session_id
from dwh.spark.status import server_status
from dwh.spark.warm import warm_remote


class Engine(StrEnum):
    """How each date's process gets its Spark session."""

    COLD = "cold"
    """Its own local session: a production-like process per date."""
    WARM = "warm"
    """A remote session on the reusable local Spark Connect server."""

    @classmethod
    def from_warm(cls, warm: bool | None) -> Engine | None:
        """The engine a ``--warm``/``--cold`` flag asks for; None when it was not given."""
        return None if warm is None else (cls.WARM if warm else cls.COLD)


def default_engine() -> Engine:
    """``warm`` when a warm server is running, else ``cold``."""
    try:
        return Engine.WARM if server_status().running else Engine.COLD
    except Exception:  # an unreadable discovery file reads as no server
        return Engine.COLD


def warm_session() -> str:
    """Return the warm server's URL for the dates' ``--spark_remote``, starting it if needed.

    A server that is not running is started in a child process
    (:func:`dwh.spark.warm.warm_remote`), so the backfill's own process (the TUI among
    others) never imports pyspark.

    Raises:
        SparkServerError: The server could not be started.
    """
    return warm_remote(lambda _message: None)


class SharedSessions:
    """Server-side sessions a warm backfill's dates share: one per parallel slot.

    Args:
        remote: The warm server's ``sc://`` URL. Any other remote (``local[*]``) names
            no session, and each date gets its own as before.
        slots: How many dates may run at once.
    """

    def __init__(self, remote: str, slots: int) -> None:
        self.remotes = [with_session_id(remote, str(uuid.uuid4())) for _ in range(slots)]
        self._free: queue.SimpleQueue[str] = queue.SimpleQueue()
        for named in self.remotes:
            self._free.put(named)

    @contextmanager
    def session(self) -> Iterator[str]:
        """Lend one free session's remote for one date."""
        remote = self._free.get()
        try:
            yield remote
        finally:
            self._free.put(remote)

    def release(self, env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes] | None:
        """End the sessions on the server, from a child process, without waiting.

        A child, so that this process (the TUI among others) never imports pyspark; not
        waited for, so the backfill's summary doesn't wait on it either.

        Returns:
            The child, or None when no session was named (a ``local[*]`` remote).
        """
        named = [remote for remote in self.remotes if remote_session_id(remote)]
        if not named:
            return None
        return subprocess.Popen(
            [sys.executable, "-m", "dwh.spark._release", *named],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )


def launch_date(
    job: str,
    config: Mapping[str, Any],
    *,
    run_id: str,
    backfill_id: str,
    spark_remote: str | None,
    env: Mapping[str, str] | None,
    stderr: IO[str] | None,
    on_start: Callable[[int], None] | None = None,
) -> JobRun:
    """Run one date in its own process through the generic entry and wait for it."""
    return launch(
        job,
        config,
        run_id=run_id,
        env=env,
        stderr=stderr,
        spark_remote=spark_remote,
        extra_args=("--backfill_id", backfill_id),
        on_start=on_start,
    )

"""``python -m dwh.spark._prewarm_child REMOTE SERVER_PID``: prepare a spare session.

Opens a new session on the local server, runs one trivial Arrow step there (which
starts the session's Python worker daemon and a worker per core), and records the
session as the spare (:func:`dwh.spark.prewarm.record_spare`), with the artifact UUID
of its workers, so that a spare dropped unclaimed has its workers ended too. The child
then closes its channel, leaving the session open for the run that claims it. The step's function is
defined here, in ``__main__``, so it is pickled by value: the workers import none of a
job's code. Quiet, and gives up after two minutes; a failure just leaves no spare.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from typing import Any

from dwh.spark.prewarm import record_spare
from dwh.spark.remote import with_session_id
from dwh.spark.session import detach, get_spark_session
from dwh.spark.workers import server_side_id

_TIMEOUT_S = 120


def passthrough(batches: Iterator[Any]) -> Iterator[Any]:
    """The trivial Arrow step."""
    yield from batches


def prepare(remote: str, server_pid: int) -> str:
    """Open a session, start its Python workers, and record it; return its id."""
    session_id = str(uuid.uuid4())
    session = get_spark_session(remote=with_session_id(remote, session_id))
    parallelism = max(os.cpu_count() or 1, 1)
    session.range(0, parallelism, 1, parallelism).mapInArrow(passthrough, "id long").collect()
    record_spare(session_id, server_pid, server_side_id(session))
    detach(session)
    return session_id


if __name__ == "__main__":
    signal.alarm(_TIMEOUT_S)
    with contextlib.suppress(Exception):
        prepare(sys.argv[1], int(sys.argv[2]))

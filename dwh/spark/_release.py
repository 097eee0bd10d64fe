"""``python -m dwh.spark._release REMOTE...``: end server-side Spark Connect sessions.

A warm backfill's dates share sessions named in their remotes (``/;session_id=ID``);
the backfill ends them through this child process, so that the process running the
backfill (the TUI among others) never imports pyspark. Each session's Python worker
daemon is ended after it (:mod:`dwh.spark.workers`). A session or server already gone
is not an error: there is nothing left to end.
"""

from __future__ import annotations

import sys

from dwh.spark.session import end_session, get_spark_session
from dwh.spark.workers import end_released_workers, server_side_id


def release(remote: str) -> bool:
    """End the session ``remote`` names and its workers; False when it was not reached."""
    try:
        session = get_spark_session(remote=remote)
        artifact = server_side_id(session)  # the settings it applied got an answer
        end_session(session)
    except Exception:
        return False
    end_released_workers(remote, artifact)
    return True


def main(argv: list[str]) -> int:
    """End each named session; exit 0 even when some were gone already."""
    for remote in argv:
        release(remote)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

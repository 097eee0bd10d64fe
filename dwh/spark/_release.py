"""``python -m dwh.spark._release REMOTE...``: end server-side Spark Connect sessions.

A warm backfill's dates share sessions named in their remotes (``/;session_id=ID``);
the backfill ends them through this child process, so that the process running the
backfill (the TUI among others) never imports pyspark. A session or server already
gone is not an error: there is nothing left to end.
"""

from __future__ import annotations

import sys

from dwh.spark.session import get_spark_session


def release(remote: str) -> bool:
    """End the session ``remote`` names; return False when it could not be reached."""
    try:
        get_spark_session(remote=remote).stop()
    except Exception:
        return False
    return True


def main(argv: list[str]) -> int:
    """End each named session; exit 0 even when some were gone already."""
    for remote in argv:
        release(remote)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``python -m dwh.spark._start [PORT]``: start the local Spark server, in its own process.

:func:`dwh.spark.warm.start_server` runs this, so the process that asks for a server
(``dwh spark start``, ``dwh run --warm``, the TUI, a backfill) never imports pyspark's
launcher. A server started just now first does representative work (:func:`warm_up`:
a small Parquet write and read, an Arrow collect), so the first warm run does not pay
the JVM's cold code paths; then the first spare session is prepared and the warm
runner started (:mod:`dwh.spark.runner`), and this returns once both are ready. It
prints ``started`` or ``running`` on success; on failure, one line on stderr and exit 1.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time

from dwh.errors import SparkServerError
from dwh.spark.prewarm import spare_ready, start_prewarm
from dwh.spark.runner import start_runner
from dwh.spark.server import ensure_server

log = logging.getLogger(__name__)

_SPARE_WAIT_S = 120.0


def warm_up(url: str) -> None:
    """Have the server write and read a small Parquet table and collect through Arrow.

    In its own session, ended afterwards; no Python worker starts (the spare session
    starts those). Never raises: a server that can't do it still serves.
    """
    from dwh.spark.session import end_session, get_spark_session

    try:
        session = get_spark_session(remote=url)
        with tempfile.TemporaryDirectory(prefix="dwh-warm-up-") as folder:
            frame = session.range(0, 1000, 1, 2).selectExpr("id", "cast(id AS string) AS name")
            frame.write.mode("overwrite").parquet(folder)
            back = session.read.parquet(folder)
            back.groupBy((back.id % 10).alias("bucket")).count().toArrow()
            back.filter("id < 100").toPandas()
        end_session(session)
    except Exception as exc:  # the server is up; the first run pays the cold paths
        log.debug("the warm-up failed: %s", exc)


def main(argv: list[str]) -> int:
    """Start (or find) the server, warm it up, prepare a spare and the runner, say which."""
    port = int(argv[0]) if argv else None
    try:
        status = ensure_server(port)
    except SparkServerError as exc:
        print(f"dwh: {exc}", file=sys.stderr)
        return 1
    if status.url:
        if status.started:
            warm_up(status.url)
        spare = start_prewarm(status.url)  # the first warm run finds its Python workers up
        start_runner(wait=True)
        deadline = time.monotonic() + _SPARE_WAIT_S
        while spare is not None and spare.poll() is None and time.monotonic() < deadline:
            if spare_ready(status.url):
                break
            time.sleep(0.1)
    print("started" if status.started else "running")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

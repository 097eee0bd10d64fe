"""``python -m dwh.spark._start [PORT]``: start the local Spark server, in its own process.

:func:`dwh.spark.warm.start_server` runs this, so the process that asks for a server
(``dwh spark start``, ``dwh run --warm``, the TUI, a backfill) never imports pyspark's
launcher. It prints ``started`` or ``running`` on success; on failure, one line on
stderr and exit 1.
"""

from __future__ import annotations

import sys

from dwh.errors import SparkServerError
from dwh.spark.prewarm import start_prewarm
from dwh.spark.server import ensure_server


def main(argv: list[str]) -> int:
    """Start (or find) the server, prepare the first spare session, say which."""
    port = int(argv[0]) if argv else None
    try:
        status = ensure_server(port)
    except SparkServerError as exc:
        print(f"dwh: {exc}", file=sys.stderr)
        return 1
    if status.url:
        start_prewarm(status.url)  # the first warm run finds its Python workers up
    print("started" if status.started else "running")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``python -m dwh.spark._recycle SERVER_PID``: restart an idle local server past its ceiling.

Started by :func:`dwh.spark.recycle.recycle_if_due`. Under the discovery file's lock
(which every start of a server takes, so nobody starts one meanwhile), the file is
hidden, so that a run starting now finds no server and waits on the lock for the new
one; then, after a grace period for a run that read the address just before, the old
server is stopped only if still no client is connected (else the file is put back and
nothing happens). The new server takes the same port, and gets a spare session.
"""

from __future__ import annotations

import contextlib
import sys
import time

from dwh.spark._discovery import discovery_path, read_recorded
from dwh.spark.control import locked, stop_recorded
from dwh.spark.prewarm import start_prewarm
from dwh.spark.recycle import connected_clients
from dwh.spark.server import ensure_server

GRACE_S = 5.0
"""How long a run that read the old address may take to connect to it."""


def recycle(server_pid: int) -> bool:
    """Restart the server ``server_pid`` if it is still the recorded one and idle."""
    path = discovery_path()
    hidden = path.with_name(f".{path.name}.recycling")
    with locked(path):
        recorded = read_recorded(path)
        if recorded is None or recorded.pid != server_pid or connected_clients(recorded.port):
            return False
        path.replace(hidden)
        time.sleep(GRACE_S)
        if connected_clients(recorded.port):
            hidden.replace(path)
            return False
        hidden.replace(path)
        stop_recorded(path)
    status = ensure_server(recorded.port)
    if status.url:
        start_prewarm(status.url)
    return True


if __name__ == "__main__":
    with contextlib.suppress(Exception):
        recycle(int(sys.argv[1]))

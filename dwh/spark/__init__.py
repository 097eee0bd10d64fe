"""The local Spark Connect server behind warm runs, and live Spark progress.

- :func:`server_status`, :func:`ensure_server`, :func:`stop_server` manage the one
  local server (``dwh spark start|status|stop``); light, no pyspark import.
- :func:`track_progress` publishes ``spark_progress`` events while a session's stages
  run, from Connect's progress handler or a classic session's status tracker.

The names load on first use (PEP 562), so a light module of this package (the warm
runner's client, :mod:`dwh.spark._runner_client`) costs only itself to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dwh._lazy import lazy_exports

if TYPE_CHECKING:
    from dwh.spark.connect_errors import as_connect_error
    from dwh.spark.progress import track_progress
    from dwh.spark.remote import client_token
    from dwh.spark.server import ServerStatus, ensure_server, server_status, stop_server

__getattr__, __dir__ = lazy_exports(
    globals(),
    {
        "ServerStatus": "dwh.spark.server",
        "as_connect_error": "dwh.spark.connect_errors",
        "client_token": "dwh.spark.remote",
        "ensure_server": "dwh.spark.server",
        "server_status": "dwh.spark.server",
        "stop_server": "dwh.spark.server",
        "track_progress": "dwh.spark.progress",
    },
)

__all__ = [
    "ServerStatus",
    "as_connect_error",
    "client_token",
    "ensure_server",
    "server_status",
    "stop_server",
    "track_progress",
]

"""The local Spark Connect server behind warm runs, and live Spark progress.

- :func:`server_status`, :func:`ensure_server`, :func:`stop_server` manage the one
  local server (``dwh spark start|status|stop``); light, no pyspark import.
- :func:`track_progress` publishes ``spark_progress`` events while a session's stages
  run, from Connect's progress handler or a classic session's status tracker.
"""

from __future__ import annotations

from dwh.spark.connect_errors import as_connect_error
from dwh.spark.progress import track_progress
from dwh.spark.remote import client_token
from dwh.spark.server import ServerStatus, ensure_server, server_status, stop_server

__all__ = [
    "ServerStatus",
    "as_connect_error",
    "client_token",
    "ensure_server",
    "server_status",
    "stop_server",
    "track_progress",
]

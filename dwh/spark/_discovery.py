"""Where the local Spark Connect server is recorded, read without importing pyspark.

pyspark 4.3's reusable local server (``pyspark/sql/connect/local_server.py``) records
how to reach it (host, port, auth token, pid, Spark version) in a JSON discovery file.
dwh keeps that file under ``$DWH_HOME/spark/`` unless ``SPARK_LOCAL_CONNECT_DISCOVERY``
names one, the variable pyspark's own reuse reads: set it to the same path and a
notebook's ``SparkSession.builder.remote("local[*]")`` with
``SPARK_LOCAL_CONNECT_REUSE=1`` finds the very server ``dwh spark start`` started.
The format is pyspark's and marked experimental, so every read here tolerates a file
that is missing, malformed or of another shape: that reads as "no server".
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dwh.settings import dwh_home

DISCOVERY_ENV = "SPARK_LOCAL_CONNECT_DISCOVERY"
"""pyspark's variable naming the discovery file; dwh honours it too."""

_SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


@dataclass(frozen=True)
class Recorded:
    """What the discovery file says about a server."""

    port: int
    token: str
    pid: int
    spark_version: str


def discovery_path() -> Path:
    """Return the discovery file: ``$SPARK_LOCAL_CONNECT_DISCOVERY`` or under ``$DWH_HOME``."""
    explicit = os.environ.get(DISCOVERY_ENV)
    if explicit:
        return Path(explicit).absolute()
    return (dwh_home() / "spark" / "connect-local.json").absolute()


def read_recorded(path: Path | None = None) -> Recorded | None:
    """Return the recorded server, or None when the file is absent or not understood."""
    try:
        data = json.loads((path or discovery_path()).read_text(encoding="utf-8"))
        return Recorded(
            port=int(data["port"]),
            token=str(data["token"]),
            pid=int(data["pid"]),
            spark_version=str(data["spark_version"]),
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None


def recorded_at(url: str) -> Recorded | None:
    """Return the recorded local server when ``url`` (``sc://localhost:PORT``) is it."""
    parsed = urlparse(url)
    if parsed.scheme != "sc" or parsed.hostname not in ("localhost", "127.0.0.1"):
        return None
    recorded = read_recorded()
    if recorded is None:
        return None
    try:
        port = parsed.port
    except ValueError:
        return None
    return recorded if port == recorded.port else None


def is_connect_server(pid: int) -> bool:
    """Whether ``pid`` is a Spark Connect server JVM (Linux ``/proc``; else assume yes)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return _SERVER_CLASS in cmdline.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return False
    except OSError:
        return True


def listening(port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on the loopback ``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex(("127.0.0.1", port)) == 0

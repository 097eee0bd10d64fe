"""Start, find and stop the local Spark Connect server that warm runs share.

The server is pyspark 4.3's reusable local server: dwh starts it through pyspark's own
launcher (``sbin/start-connect-server.sh`` behind ``pyspark.sql.connect.local_server``)
with dwh's local defaults, and records it in the same discovery file format, so
pyspark's ``SPARK_LOCAL_CONNECT_REUSE=1`` finds it too (see :mod:`dwh.spark._discovery`).

Warm runs connect with an explicit ``sc://localhost:PORT`` URL rather than ``local[*]``
plus the reuse variable. That is the robust choice: a run whose server has died fails
at once with a clear error, instead of quietly starting a fresh server of its own from
inside the job (with the 20 s start-up charged to the run, and without dwh's
defaults). The URL says ``localhost`` and not ``127.0.0.1`` because pyspark's client
sends the server's auth token without TLS only to a host spelled ``localhost``. The
token is never on a command line: :func:`dwh.spark.remote.client_token` reads it from the 0600
discovery file in the run's own process.

Only :func:`ensure_server` imports pyspark; :func:`server_status` is cheap enough for
the TUI's header.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from dwh.errors import SparkServerError
from dwh.settings import environ_scope, spark_port
from dwh.spark._discovery import discovery_path
from dwh.spark.conf import ALWAYS, LOCAL_DEFAULTS
from dwh.spark.control import locked, stop_recorded, stop_server
from dwh.spark.status import ServerStatus, installed_spark_version, server_status

__all__ = [
    "SERVER_CONF",
    "ServerStatus",
    "ensure_server",
    "installed_spark_version",
    "server_status",
    "stop_server",
]

# The launcher's option for the server's port (pyspark's ``local_server``).
PORT_OPT = "spark.local.connect.server.port"

SERVER_CONF: dict[str, str] = {
    **LOCAL_DEFAULTS,
    **ALWAYS,
    # Progress reaches the client every 2 s by default; spark_progress wants >= 2/s.
    "spark.connect.progress.reportInterval": "200ms",
    # A server that serves runs all day keeps the history of its jobs, stages, SQL
    # executions and Connect sessions in memory (for a UI that is off) up to these
    # counts; the defaults (1000 jobs, 1000 stages, 1000 executions, 200 sessions and
    # statements) are reached only after a few hundred runs, so memory would keep
    # growing all that time. A few runs' worth is plenty.
    "spark.ui.retainedJobs": "100",
    "spark.ui.retainedStages": "100",
    "spark.sql.ui.retainedExecutions": "50",
    "spark.connect.ui.retainedSessions": "20",
    "spark.connect.ui.retainedStatements": "50",
    # Shuffle files and broadcast blocks of released sessions go when the driver's
    # collector has dropped their plans; every 5 minutes, not every 30.
    "spark.cleaner.periodicGC.interval": "5min",
    # The JVM's own memory (docs/warm.md, "Bounded memory"). G1 grows its young
    # generation, and with it the heap's resident pages, whenever collections look
    # costly, as they do on a loaded machine, and gives nothing back between full
    # collections: a fixed 256 MB young generation bounds that; after a collection the
    # heap keeps at most 40% free; and a minute without a collection (an idle server,
    # between edits) starts one that returns the rest. Beside spark.driver.memory, and
    # not in extraJavaOptions, which is the user's.
    "spark.driver.defaultJavaOptions": (
        "-Xmn256m -XX:MaxHeapFreeRatio=40 -XX:MinHeapFreeRatio=20 -XX:G1PeriodicGCInterval=60000"
    ),
}
"""Settings the server starts with: dwh's local defaults, UTC, frequent progress, and
bounded histories (docs/warm.md, "A server that lasts a working day")."""


def ensure_server(port: int | None = None) -> ServerStatus:
    """Return the running server, starting one if none is usable.

    A recorded server of another Spark version, or one that is alive but not
    listening, is stopped first; a stale discovery file is replaced. Two callers at
    once are serialised by the discovery file's lock, so they share one new server.

    Args:
        port: The port for a new server; default ``$DWH_SPARK_PORT`` or 15002 (a free
            one if that is taken).

    Raises:
        SparkServerError: The server could not be started.
    """
    status = server_status()
    if status.running:
        return status
    path = discovery_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        status = server_status()  # another process may have started it meanwhile
        if status.running:
            return status
        stop_recorded(path)
        _launch(path, port)
    status = server_status()
    if not status.running:
        raise SparkServerError(
            f"the local Spark server did not come up; see the logs in {path.parent / 'logs'}"
        )
    return dataclasses.replace(status, started=True)


def _launch(path: Path, port: int | None) -> None:
    """Start a server through pyspark's launcher and record it in ``path``."""
    from pyspark.errors import PySparkException
    from pyspark.sql.connect.local_server import Discovery

    ServerLauncher = _detached_launcher()

    opts: dict[str, Any] = {**SERVER_CONF, "spark.pyspark.python": sys.executable}
    chosen = port or spark_port()
    if chosen:
        opts[PORT_OPT] = int(chosen)
    # Python workers must be this venv's interpreter (pyarrow, the jobs' packages); a
    # fresh token per server, never one inherited from the caller's environment.
    overrides = {"PYSPARK_PYTHON": sys.executable, "SPARK_CONNECT_AUTHENTICATE_TOKEN": None}
    discovery = Discovery(str(path))
    # pyspark's Discovery asserts its own lock; ours (the same file) is already held.
    discovery._lock_file = open(os.devnull)
    try:
        with environ_scope(overrides):
            ServerLauncher("local[*]", opts, discovery).launch()
    except PySparkException as exc:
        raise SparkServerError(f"could not start the local Spark server: {exc}") from exc
    finally:
        discovery._lock_file.close()
        discovery._lock_file = None


def _detached_launcher() -> Any:
    """pyspark's launcher, but the server leaves our session and process group.

    pyspark runs ``start-connect-server.sh`` in the caller's process group, so a Ctrl+C
    in the terminal of the ``dwh run --warm`` that started the server (or a TUI
    cancelling its child's group) would also reach the server's JVM. A new session
    keeps the server out of reach of those signals; it is stopped by pid only. The
    script call is pyspark's ``_run_script`` with ``start_new_session=True``.
    """
    import socket
    import subprocess

    from pyspark.errors import PySparkRuntimeError
    from pyspark.find_spark_home import _find_spark_home
    from pyspark.sql.connect import local_server

    class DetachedLauncher(local_server.ServerLauncher):
        def _pick_port(self) -> int:
            # pyspark tries the port without SO_REUSEADDR, so for a minute after a
            # server is stopped (its connections in TIME_WAIT) it finds the port taken
            # and picks another. The JVM binds with SO_REUSEADDR; so does this check,
            # and a `dwh spark stop; dwh spark start` keeps its url.
            if "SPARK_TESTING" in os.environ or not self._opts.get(PORT_OPT):
                return int(super()._pick_port())
            port = int(self._opts[PORT_OPT])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind(("localhost", port))
                except OSError:
                    return int(super()._pick_port())
            return port

        def _run_script(self, port: int, token: str, conf_file: str | None) -> None:
            spark_home = os.environ.get("SPARK_HOME") or _find_spark_home()
            script = os.path.join(spark_home, "sbin", "start-connect-server.sh")
            env = dict(os.environ)
            for var in ("SPARK_REMOTE", "SPARK_LOCAL_REMOTE", "SPARK_CONNECT_MODE_ENABLED"):
                env.pop(var, None)
            env["SPARK_CONNECT_AUTHENTICATE_TOKEN"] = token
            env["SPARK_PID_DIR"] = self._discovery.directory
            env["SPARK_LOG_DIR"] = self._log_dir
            env["SPARK_IDENT_STRING"] = local_server._SPARK_IDENT
            cmd = [
                script,
                "--master",
                self._master,
                "--conf",
                "spark.connect.grpc.binding.address=127.0.0.1",
                "--conf",
                f"spark.connect.grpc.binding.port={port}",
            ]
            if conf_file is not None:
                cmd += ["--properties-file", conf_file]
            result = subprocess.run(
                cmd,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=120,
                start_new_session=True,
            )
            if result.returncode != 0:
                output = ((result.stderr or "") + (result.stdout or "")).strip()
                last = output.splitlines()[-1] if output else ""
                raise PySparkRuntimeError(
                    errorClass="LOCAL_CONNECT_SERVER_START_FAILED",
                    messageParameters={
                        "reason": f"start-connect-server.sh exited {result.returncode}: {last}"
                    },
                )

    return DetachedLauncher

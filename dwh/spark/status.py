"""How the local Spark Connect server stands, read without pyspark or a JVM.

The TUI's header and ``dwh spark status`` call :func:`server_status`: it reads the
discovery file, the process table and the port, so the TUI (which never imports
pyspark) can show the server's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from typing import Any

from dwh.processes import pid_alive, tree_rss_bytes, uptime_s
from dwh.spark._discovery import is_connect_server, listening, read_recorded
from dwh.spark.workers import ServerTree, server_tree

__all__ = ["ServerStatus", "installed_spark_version", "server_status"]


@dataclass(frozen=True)
class ServerStatus:
    """How the local Spark Connect server stands.

    Attributes:
        running: Whether a server of this Spark version is alive and listening.
        url: ``sc://localhost:PORT`` when running, else None.
        pid: The server JVM's process id when running.
        spark_version: The server's Spark version when running.
        uptime_s: Seconds since the server started, when running.
        rss_bytes: The resident memory of the server JVM and its Python workers (counts
            the pages forked workers share once per worker: an upper bound).
        tree: The JVM's and the whole tree's PSS and USS, and how many Python workers
            run below the JVM.
        started: True when :func:`ensure_server` had to start it just now.
    """

    running: bool
    url: str | None = None
    pid: int | None = None
    spark_version: str | None = None
    uptime_s: float | None = None
    rss_bytes: int | None = None
    tree: ServerTree | None = None
    started: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the public fields, as ``dwh spark status --json`` prints them.

        ``python_workers`` counts the Python processes below the JVM; ``memory`` gives
        bytes: ``jvm_pss``, ``tree_pss`` and ``tree_uss`` (None when not running).
        """
        tree = self.tree
        return {
            "running": self.running,
            "url": self.url,
            "pid": self.pid,
            "spark_version": self.spark_version,
            "uptime_s": self.uptime_s,
            "python_workers": tree.workers if tree else None,
            "memory": None
            if tree is None
            else {
                "jvm_pss": tree.jvm.pss if tree.jvm else None,
                "tree_pss": tree.total.pss if tree.total else None,
                "tree_uss": tree.total.uss if tree.total else None,
            },
        }


def installed_spark_version() -> str:
    """Return the installed pyspark's version without importing pyspark."""
    return metadata.version("pyspark")


def server_status(*, memory: bool = True) -> ServerStatus:
    """Return the server's state from the discovery file, the process table and its port.

    A recorded server that is dead, not listening, not a Connect server or of another
    Spark version reads as not running.

    Args:
        memory: Also measure the server's process tree (``rss_bytes``, ``tree``), which
            reads every process's ``/proc`` files: 0.1-0.3 s that a run asking only
            whether the server is up (:func:`dwh.spark.warm.warm_remote`) skips.
    """
    recorded = read_recorded()
    if (
        recorded is None
        or recorded.spark_version != installed_spark_version()
        or not pid_alive(recorded.pid)
        or not is_connect_server(recorded.pid)
        or not listening(recorded.port)
    ):
        return ServerStatus(running=False)
    return ServerStatus(
        running=True,
        url=f"sc://localhost:{recorded.port}",
        pid=recorded.pid,
        spark_version=recorded.spark_version,
        uptime_s=uptime_s(recorded.pid),
        rss_bytes=tree_rss_bytes(recorded.pid) if memory else None,
        tree=server_tree(recorded.pid) if memory else None,
    )

"""The local Spark server as the TUI sees it: its state, and starting it in a subprocess.

Warm runs (``ctrl+j``) run on the local Spark Connect server (:mod:`dwh.spark`). The
TUI never imports pyspark, so it reads the server's state with
:func:`dwh.spark.status.server_status` (files and ``/proc``, cheap) and starts a server
through ``dwh spark start`` in a child process, never in its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dwh.spark.status import ServerStatus, server_status
from dwh.spark.warm import start_server

__all__ = ["SparkServer", "start_server", "status_text"]


@dataclass(frozen=True)
class SparkServer:
    """How the TUI reads and starts the local Spark server (fakes replace both in tests).

    Attributes:
        status: Returns the server's state; called from a thread every few seconds.
        start: Starts a server and returns its state; blocking, called from a thread.
    """

    status: Callable[[], ServerStatus] = server_status
    start: Callable[[], ServerStatus] = start_server


def status_text(status: ServerStatus) -> str:
    """The header's words for the server's state."""
    if status.running:
        return f"Spark server at {status.url}"
    return "Spark server off (ctrl+j starts it)"

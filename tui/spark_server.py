"""The local Spark server as the TUI sees it: its state, and starting it in a subprocess.

Warm runs (``ctrl+j``) run on the local Spark Connect server (:mod:`dwh.spark`). The
TUI never imports pyspark, so it reads the server's state with
:func:`dwh.spark.status.server_status` (files and ``/proc``, cheap) and starts a server
through ``dwh spark start`` in a child process, never in its own.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from dwh.errors import SparkServerError
from dwh.spark.status import ServerStatus, server_status

__all__ = ["SparkServer", "start_server", "status_text"]

START_TIMEOUT_S = 180.0
"""How long ``dwh spark start`` may take (about 10-30 s; more on a loaded machine)."""

_START_CODE = "import sys; from dwh.cli import main; sys.exit(main(['spark', 'start']))"


def start_server() -> ServerStatus:
    """Start the local Spark server through ``dwh spark start`` in a child process.

    Blocks until the server answers (call it from a thread).

    Raises:
        SparkServerError: The command failed; the message is its last line of output.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", _START_CODE],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SparkServerError(f"dwh spark start did not finish: {exc}") from exc
    status = server_status()
    if done.returncode != 0 or not status.running:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit code {done.returncode}"
        raise SparkServerError(f"dwh spark start failed: {last}")
    return status


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

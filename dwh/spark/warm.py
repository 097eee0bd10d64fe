"""The local Spark server as a light process needs it: its URL, started in a child.

``dwh run --warm``, ``python -m dwh.triggers --warm`` and the TUI need the warm server
running and its URL, but must not import pyspark to start it (the TUI never does, and
the CLI's light paths keep to that rule: an import-linter contract). So a server that
is not running is started in a child process (:mod:`dwh.spark._start`), which imports
pyspark's launcher there, prepares the first spare session and exits.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable

from dwh.errors import SparkServerError
from dwh.spark.status import ServerStatus, server_status

__all__ = ["START_TIMEOUT_S", "start_server", "warm_remote"]

START_TIMEOUT_S = 180.0
"""How long ``dwh spark start`` may take (about 10-30 s; more on a loaded machine)."""


def start_server(port: int | None = None) -> ServerStatus:
    """Start the local Spark server in a child process, or find the one that runs.

    Blocks until the server answers (the TUI calls it from a thread).

    Args:
        port: The port for a new server; default ``$DWH_SPARK_PORT`` or 15002.

    Returns:
        The server's state; ``started`` says whether it was started just now.

    Raises:
        SparkServerError: The server could not be started; the message is the child's
            last line of output.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dwh.spark._start", *([str(port)] if port else [])],
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
        last = lines[-1].removeprefix("dwh: ") if lines else f"exit code {done.returncode}"
        raise SparkServerError(f"dwh spark start failed: {last}")
    return dataclasses.replace(status, started=done.stdout.strip().endswith("started"))


def warm_remote(say: Callable[[str], None]) -> str:
    """Return the warm server's URL, starting the server if none runs.

    A server started here has done representative work (a Parquet write and read, an
    Arrow step) and has a spare session and a warm runner before this returns
    (:mod:`dwh.spark._start`), so the run that waited does not also pay a cold JVM.

    Args:
        say: Told what it waits for (``starting a Spark server ...``) before a start,
            and ``started a Spark server at URL (dwh spark stop)`` after.

    Raises:
        SparkServerError: The server could not be started.
    """
    status = server_status(memory=False)
    if not status.running:
        say(
            "no Spark server runs: starting one and warming it up before this run "
            "(about 10-30 s, once; dwh spark start does the same)"
        )
        status = start_server()
        if status.started:
            say(f"started a Spark server at {status.url} (dwh spark stop)")
    return str(status.url)

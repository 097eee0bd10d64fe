"""The one child command line: how a run is started through the generic entry.

Both faces of the launcher (:mod:`dwh.launch._sync`, :mod:`dwh.launch._async`) build
the child's argv and environment here, so the TUI, the trigger runner and ``dwh run
--follow`` start exactly the same process, the one production starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dwh.entry import ENTRY_SCRIPT
from dwh.settings import SPARK_STARTUP_LOG_ENV, warm_runner_enabled
from dwh.spark._discovery import recorded_at

ENTRY_PATH = Path(__file__).resolve().parents[2] / ENTRY_SCRIPT
"""The production entry script in this checkout, used when its scripts folder is present."""
_ENTRY_CODE = "import sys; from dwh.entry import main; sys.exit(main())"
RUNNER_CLIENT = "dwh.spark._runner_client"
"""A warm run on the local server starts as ``python -m RUNNER_CLIENT <the command>``:
the warm runner's child runs it, or the client becomes that command (one line says why)."""


@dataclass(frozen=True)
class RunRequest:
    """One run to start.

    Attributes:
        job: The job name.
        module: The job's factory module.
        config: The config, a JSON object (it travels in an unnamed file).
        has_spark: The ``--has_spark`` value; None for the job's default.
        run_id: The run id given to the entry, so the caller knows it before any event.
        spark_remote: A Spark Connect remote (``sc://127.0.0.1:PORT`` or ``local[*]``).
        extra_args: More run options for the entry, e.g. ``("--backfill_id", "b-1")``.
        env: Environment variables set for the child on top of this process's own.
    """

    job: str
    module: str
    config: dict[str, Any]
    has_spark: bool | None
    run_id: str
    spark_remote: str | None = None
    extra_args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)


def child_command(
    request: RunRequest, events_fd: int, config_argument: str, *, entry: Path | None = None
) -> list[str]:
    """The command line that starts ``request`` through the generic entry.

    Args:
        request: The run.
        events_fd: The child's end of the events pipe (``--events fd:N``).
        config_argument: What follows ``--<job>_job``: the ``@/dev/fd/N`` of
            :func:`~dwh.launch.config_handoff`, so the config is not on the command line.
        entry: The entry script; :data:`ENTRY_PATH` by default. When it is missing
            (dwh installed without the repository), the entry runs through ``python -c``.
    """
    script = ENTRY_PATH if entry is None else entry
    if script.is_file():
        head = [sys.executable, str(script)]
    else:
        head = [sys.executable, "-c", _ENTRY_CODE]
    argv = [*head, "--module_name", request.module, f"--{request.job}_job", config_argument]
    if request.has_spark is not None:
        argv += ["--has_spark", "true" if request.has_spark else "false"]
    argv += ["--run_id", request.run_id, "--events", f"fd:{events_fd}"]
    if request.spark_remote:
        argv += ["--spark_remote", request.spark_remote]
    argv += list(request.extra_args)
    if _through_runner(request):
        argv = [sys.executable, "-m", RUNNER_CLIENT, *argv]
    return argv


def _through_runner(request: RunRequest) -> bool:
    """A warm run on dwh's own local server, with the warm runner on for the child."""
    remote = request.spark_remote
    if not remote or not warm_runner_enabled({**os.environ, **request.env}):
        return False
    return recorded_at(remote) is not None


def child_env(request: RunRequest) -> dict[str, str]:
    """The child's environment: this process's, unbuffered output, then ``request.env``.

    Spark's start-up notices are on (unless set otherwise): both faces store them in the
    run's log and keep them off the terminal and the TUI
    (:data:`dwh.spark.conf.STARTUP_NOISE`).
    """
    return {SPARK_STARTUP_LOG_ENV: "on", **os.environ, "PYTHONUNBUFFERED": "1", **request.env}

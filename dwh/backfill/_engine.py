"""How one date of a backfill is started: the one call to the launcher, cold or warm.

Both engines start the date as its own child process through the generic entry
(:mod:`dwh.launch`), with the same events, run store, locks and alerts as any run.
``cold`` lets the child build its own Spark session, as production does; ``warm``
gives it a Spark Connect session on the reusable local server, so the JVM starts once
for the whole backfill.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from enum import StrEnum
from typing import IO, Any

from dwh.launch import JobRun, launch


class Engine(StrEnum):
    """How each date's process gets its Spark session."""

    COLD = "cold"
    """Its own local session: a production-like process per date."""
    WARM = "warm"
    """A remote session on the reusable local Spark Connect server."""


def _warm_module() -> Any | None:
    """The warm-loop module (``dwh.spark``), when this dwh has it."""
    try:
        return importlib.import_module("dwh.spark")
    except ImportError:
        return None


def default_engine() -> Engine:
    """``warm`` when a warm server is running, else ``cold``."""
    module = _warm_module()
    if module is None:
        return Engine.COLD
    try:
        return Engine.WARM if module.server_status().running else Engine.COLD
    except Exception:
        return Engine.COLD


def warm_session() -> tuple[str, dict[str, str]]:
    """Return the ``--spark_remote`` and extra environment for a warm date.

    With ``dwh.spark`` (the warm loop) the server is started if none runs and its URL
    is used. Without it, the child asks pyspark for the reusable local server itself
    (``local[*]`` with ``SPARK_LOCAL_CONNECT_REUSE=1``); the first date starts it.
    """
    module = _warm_module()
    if module is not None and hasattr(module, "ensure_server"):
        return str(module.ensure_server().url), {}
    return "local[*]", {"SPARK_LOCAL_CONNECT_REUSE": "1", "PYSPARK_PYTHON": sys.executable}


def launch_date(
    job: str,
    config: Mapping[str, Any],
    *,
    run_id: str,
    backfill_id: str,
    spark_remote: str | None,
    env: Mapping[str, str] | None,
    stderr: IO[str] | None,
) -> JobRun:
    """Run one date in its own process through the generic entry and wait for it."""
    return launch(
        job,
        config,
        run_id=run_id,
        env=env,
        stderr=stderr,
        spark_remote=spark_remote,
        extra_args=("--backfill_id", backfill_id),
    )

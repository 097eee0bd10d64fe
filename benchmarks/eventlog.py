"""Where a ``spark-submit`` run's wall time goes, read from Spark's own event log.

A run is cut into five spans, from the parent's clock when it started the process to
its exit, with Spark's timestamps in between:

- ``launch``: process start to ``SparkListenerApplicationStart``. The JVM, the Python
  driver and everything it does before the session exists: for dwh, its imports,
  config validation, the lock and the run store.
- ``setup``: the session is up to the first job submitted: reading footers, planning.
- ``jobs``: first job submitted to last job ended, the driver's time between jobs
  included. The Spark work.
- ``finish``: last job ended to ``SparkListenerApplicationEnd``: the commit's renames,
  metrics, events and the session stopping.
- ``exit``: the application's end to the process's: JVM shutdown.

Both sides of a comparison write their log with the same settings, so the cost of
logging is the same on each side.
"""

from __future__ import annotations

import json
from pathlib import Path

SPANS = ("launch", "setup", "jobs", "finish", "exit")
_WANTED = (
    b'"SparkListenerApplicationStart"',
    b'"SparkListenerApplicationEnd"',
    b'"SparkListenerJobStart"',
    b'"SparkListenerJobEnd"',
)


def event_log_conf(folder: Path) -> dict[str, str]:
    """The ``--conf`` that makes one run write an uncompressed event log into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": folder.resolve().as_uri(),
        "spark.eventLog.compress": "false",
        "spark.eventLog.rolling.enabled": "false",  # one file, not an eventlog_v2 folder
    }


def spans(folder: Path, started: float, ended: float) -> dict[str, float]:
    """The five spans (seconds) of the one run that logged into ``folder``.

    Args:
        folder: The run's event-log folder (:func:`event_log_conf`).
        started: Epoch seconds when the process was started.
        ended: Epoch seconds when it exited.

    Raises:
        RuntimeError: The folder does not hold exactly one finished log with a job.
    """
    logs = [p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".inprogress")]
    if len(logs) != 1:
        raise RuntimeError(f"expected one finished event log in {folder}, found {len(logs)}")
    app_start = app_end = None
    job_starts: list[float] = []
    job_ends: list[float] = []
    with logs[0].open("rb") as log:
        for line in log:
            if not any(name in line[:80] for name in _WANTED):
                continue
            event = json.loads(line)
            kind = event["Event"]
            if kind == "SparkListenerApplicationStart":
                app_start = event["Timestamp"] / 1000
            elif kind == "SparkListenerApplicationEnd":
                app_end = event["Timestamp"] / 1000
            elif kind == "SparkListenerJobStart":
                job_starts.append(event["Submission Time"] / 1000)
            else:
                job_ends.append(event["Completion Time"] / 1000)
    if app_start is None or app_end is None or not job_starts or not job_ends:
        raise RuntimeError(f"{logs[0]} lacks the application's start or end, or any job")
    first_job, last_job = min(job_starts), max(job_ends)
    return {
        "launch": app_start - started,
        "setup": first_job - app_start,
        "jobs": last_job - first_job,
        "finish": app_end - last_job,
        "exit": ended - app_end,
        "spark_jobs": float(len(job_starts)),
    }

"""Probes run in a fresh process by :mod:`benchmarks.warm_loop`; each prints one JSON line.

``python -m benchmarks.warm_probe fixed URL``: where a warm run's fixed costs go (the
Connect client's import, the session, the first Python step's workers).
``python -m benchmarks.warm_probe progress URL|classic``: seconds from an action's
start to the first ``spark_progress`` payload of a stage that runs for seconds.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from typing import Any


def _tag(batches: Any) -> Any:
    yield from batches


def _sleepy(frames: Any) -> Any:
    import time as clock

    for frame in frames:
        clock.sleep(2)
        yield frame


def fixed(url: str) -> dict[str, float]:
    """Time the warm path's fixed costs, in the order a warm run pays them."""
    from dwh.spark.session import get_spark_session

    start = time.perf_counter()
    import pyspark.sql.connect.session  # noqa: F401

    imported = time.perf_counter()
    spark = get_spark_session(remote=url)
    spark.range(1).collect()
    session = time.perf_counter()
    spark.range(2).mapInArrow(_tag, "id long").collect()
    workers = time.perf_counter()
    spark.range(2).mapInArrow(_tag, "id long").collect()
    again = time.perf_counter()
    spark.stop()
    return {
        "client_import": imported - start,
        "session_and_first_query": session - imported,
        "first_python_step": workers - session,
        "second_python_step": again - workers,
    }


def progress(url: str) -> dict[str, float]:
    """Seconds from an action's start to the first progress payload with tasks."""
    from dwh.spark.progress import track_progress
    from dwh.spark.session import get_spark_session

    spark = get_spark_session(remote=None if url == "classic" else url)
    spark.range(1).collect()  # the session is up before the clock starts
    seen: list[float] = []
    stamps: list[float] = []
    first_stage: list[tuple[int, float]] = []

    def emit(fields: dict[str, int]) -> None:
        now = time.perf_counter()
        stamps.append(now)
        if fields["tasks_total"] and not seen:
            seen.append(now)
            first_stage.append((fields["stage_id"], time.time()))

    with track_progress(spark, emit):
        start = time.perf_counter()
        spark.range(0, 2, 1, 2).mapInPandas(_sleepy, "id long").collect()
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    from_stage = _since_submission(spark, first_stage[0]) if first_stage else float("nan")
    spark.stop()
    return {
        "first_event_s": seen[0] - start if seen else float("nan"),
        "from_stage_submission_s": from_stage,
        "max_gap_s": max(gaps) if gaps else float("nan"),
        "events": float(len(stamps)),
    }


def _since_submission(spark: Any, first: tuple[int, float]) -> float:
    """Seconds from the stage's submission (the JVM's clock) to its first payload.

    Only a classic session exposes the submission time; NaN on Spark Connect.
    """
    stage_id, emitted = first
    try:
        info = spark.sparkContext._jsc.sc().statusTracker().getStageInfo(stage_id)
        submitted_ms = info.get().submissionTime()
    except Exception:
        return float("nan")
    return emitted - submitted_ms / 1000


def main() -> None:
    """Run the probe named on the command line and print its JSON."""
    kind, url = sys.argv[1], sys.argv[2]
    result = fixed(url) if kind == "fixed" else progress(url)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""(2) Spark jobs and stages each side triggers, counted with the status tracker.

Both run in this process, in one session, each under its own job group; the job ids
of the group and their stage ids are read from ``SparkContext.statusTracker()``.
Adaptive execution is on for both (the local defaults), so both may get extra small
jobs from it alike.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from benchmarks.common import RUN_DATE, Settings
from benchmarks.harness import Row

if TYPE_CHECKING:
    from benchmarks.data import DataSet


def count_jobs(spark: Any, group: str, work: Any) -> dict[str, int]:
    """Run ``work()`` under job group ``group``; return its job and stage counts."""
    sc = spark.sparkContext
    sc.setJobGroup(group, group)
    try:
        work()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    tracker = sc.statusTracker()
    job_ids = tracker.getJobIdsForGroup(group)
    stages: set[int] = set()
    for job_id in job_ids:
        info = tracker.getJobInfo(job_id)
        if info is not None:
            stages.update(info.stageIds)
    return {"jobs": len(job_ids), "stages": len(stages)}


def run(settings: Settings, data: DataSet, spark: Any) -> list[Row]:
    """Count both; the target is framework jobs <= plain jobs."""
    from benchmarks.plain_filter import filter_images as plain_filter
    from dwh.jobs.filter_images.filter_images_job_factory import main as dwh_filter

    plain_base, dwh_base = data.fresh_base("jobs-plain"), data.fresh_base("jobs-dwh")
    run_date = dt.date.fromisoformat(RUN_DATE)
    plain = count_jobs(
        spark,
        "bench-plain",
        lambda: plain_filter(spark, str(data.transformed), str(plain_base), run_date, 30),
    )
    metrics: dict[str, Any] = {}
    framework = count_jobs(
        spark,
        "bench-dwh",
        lambda: metrics.update(dwh_filter(filter_images_job=data.config(dwh_base), has_spark=True)),
    )
    counts = {k: v for k, v in metrics.items() if k.endswith("rows") or k.startswith("dup")}
    day = f"year={run_date.year}/month={run_date.month}/day={run_date.day}"
    written = {
        side: spark.read.parquet(str(base / day)).count()
        for side, base in (("plain", plain_base), ("dwh", dwh_base))
    }
    same = written["plain"] == written["dwh"] == metrics.get("output_rows")
    return [
        Row(
            measure=f"Spark jobs / stages, filter_images, {data.rows:,} rows",
            a=f"plain: {plain['jobs']} jobs, {plain['stages']} stages",
            b=f"dwh: {framework['jobs']} jobs, {framework['stages']} stages (with 4 metrics)",
            headline=f"{framework['jobs'] - plain['jobs']:+d} jobs, "
            f"{framework['stages'] - plain['stages']:+d} stages",
            target="dwh jobs <= plain jobs",
            met=framework["jobs"] <= plain["jobs"] and same,
            note=f"rows written: plain {written['plain']:,}, dwh {written['dwh']:,} "
            f"(metrics say {metrics.get('output_rows')}); "
            f"dwh counts {counts}",
            data={"plain": plain, "dwh": framework, "written": written, "metrics": metrics},
        )
    ]

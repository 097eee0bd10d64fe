"""(6) Warm re-run: filter_images again in a process whose session is already up (the
notebook and in-process path), against a cold ``spark-submit`` of the same run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmarks.common import Settings, bench_env
from benchmarks.harness import Row, compare, interleave, timed
from benchmarks.overhead import framework_command, measure

if TYPE_CHECKING:
    from benchmarks.data import DataSet

LIMIT = 0.35


def run(settings: Settings, data: DataSet, spark: Any) -> list[Row]:
    """Interleave cold spark-submit runs with warm in-process runs of the same job."""
    from dwh.jobs.filter_images.filter_images_job_factory import main as dwh_filter

    del spark  # the session is active: the factory reuses it
    env = bench_env(settings.workdir / "home")
    cold_base, warm_base = data.fresh_base("cold"), data.fresh_base("warm")
    config = data.config(warm_base)
    dwh_filter(filter_images_job=config, has_spark=True)  # the first run in this process
    pairs = interleave(
        lambda: measure(framework_command(data, str(cold_base)), env),
        lambda: timed(lambda: dwh_filter(filter_images_job=config, has_spark=True)),
        pairs=settings.pairs,
        warmup=0 if settings.quick else 1,
    )
    return [
        compare(
            f"warm re-run, filter_images, {data.rows:,} rows",
            ("cold spark-submit", "warm in-process re-run"),
            pairs,
            target="ratio <= 0.35",
            limit=LIMIT,
            note="the warm side is the factory's main() in one process reusing its session",
        )
    ]

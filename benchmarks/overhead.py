"""(1) Framework overhead: filter_images through spark-submit and the generic entry,
against the hand-written plain PySpark script (``benchmarks/plain_filter.py``).

Both are cold ``spark-submit`` processes with the same master and settings, reading
the same generated batch and history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.common import (
    ENTRY,
    FILTER_MODULE,
    REPO,
    RUN_DATE,
    Settings,
    bench_env,
    run_process,
    submit_command,
)
from benchmarks.harness import Row, compare, interleave

if TYPE_CHECKING:
    from benchmarks.data import DataSet

LIMIT = 1.03
PLAIN = REPO / "benchmarks" / "plain_filter.py"


def framework_command(data: DataSet, base: str) -> list[str]:
    """``spark-submit generic_entry.py`` running filter_images on ``data``."""
    from pathlib import Path

    return submit_command(
        ENTRY,
        "--module_name",
        FILTER_MODULE,
        "--filter_images_job",
        data.config(Path(base)),
        "--has_spark",
        "true",
    )


def plain_command(data: DataSet, base: str) -> list[str]:
    """``spark-submit plain_filter.py`` on ``data``."""
    return submit_command(PLAIN, str(data.transformed), base, RUN_DATE)


def measure(command: list[str], env: dict[str, str], *, sample: bool = False) -> dict[str, float]:
    """Wall seconds and the peak RSS (MB) of the largest process of the run.

    With ``sample``, also the Python driver's and the JVM's own peaks (``python_mb``,
    ``java_mb``), polled from ``/proc``.
    """
    result = run_process(command, env=env, sample=sample)
    peaks = {f"{kind}_mb": mb for kind, mb in result.peak_mb.items()}
    return {"wall": result.wall, "rss_mb": result.rss_mb, **peaks}


def run(settings: Settings, data: DataSet) -> list[Row]:
    """The interleaved comparison; the headline is framework wall over plain wall."""
    env = bench_env(settings.workdir / "home")
    dwh_base, plain_base = str(data.fresh_base("dwh")), str(data.fresh_base("plain"))
    pairs = interleave(
        lambda: measure(plain_command(data, plain_base), env),
        lambda: measure(framework_command(data, dwh_base), env),
        pairs=settings.pairs,
        warmup=0 if settings.quick else 1,
    )
    return [
        compare(
            f"framework overhead, filter_images, {data.rows:,} rows",
            ("plain PySpark script", "dwh generic entry"),
            pairs,
            target="ratio <= 1.03",
            limit=LIMIT,
            note="both cold spark-submit, local[*], the same --conf; "
            + ("quick: no warm-up pair" if settings.quick else "after one warm-up pair"),
        )
    ]

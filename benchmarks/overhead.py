"""(1) Framework overhead: filter_images through spark-submit and the generic entry,
against the hand-written plain PySpark script (``benchmarks/plain_filter.py``).

Both are cold ``spark-submit`` processes with the same master and settings, reading
the same generated batch and history. Each run writes Spark's event log, which splits
its wall time into spans (:mod:`benchmarks.eventlog`): the note says in which span
the framework's extra time, if any, is spent.
"""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path
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
from benchmarks.eventlog import SPANS, event_log_conf, spans
from benchmarks.harness import Pairs, Row, compare, interleave

if TYPE_CHECKING:
    from benchmarks.data import DataSet

LIMIT = 1.03
PLAIN = REPO / "benchmarks" / "plain_filter.py"


def framework_command(data: DataSet, base: str, conf: dict[str, str] | None = None) -> list[str]:
    """``spark-submit generic_entry.py`` running filter_images on ``data``."""
    return submit_command(
        ENTRY,
        "--module_name",
        FILTER_MODULE,
        "--filter_images_job",
        data.config(Path(base)),
        "--has_spark",
        "true",
        conf=conf,
    )


def plain_command(data: DataSet, base: str, conf: dict[str, str] | None = None) -> list[str]:
    """``spark-submit plain_filter.py`` on ``data``."""
    return submit_command(PLAIN, str(data.transformed), base, RUN_DATE, conf=conf)


def measure(
    command: list[str],
    env: dict[str, str],
    *,
    sample: bool = False,
    event_log: Path | None = None,
) -> dict[str, float]:
    """Wall seconds and the peak RSS (MB) of the largest process of the run.

    With ``sample``, also the Python driver's and the JVM's own peaks (``python_mb``,
    ``java_mb``), polled from ``/proc``. With ``event_log`` (the folder the command
    logs to), also the run's spans (:func:`benchmarks.eventlog.spans`).
    """
    result = run_process(command, env=env, sample=sample)
    peaks = {f"{kind}_mb": mb for kind, mb in result.peak_mb.items()}
    timeline = {} if event_log is None else spans(event_log, result.started_at, result.ended_at)
    return {"wall": result.wall, "rss_mb": result.rss_mb, **peaks, **timeline}


def span_summary(pairs: Pairs) -> dict[str, dict[str, float]]:
    """Per span: the median of each side and the median per-pair difference (B - A)."""
    summary = {}
    for span in SPANS:
        a = [sample[span] for sample in pairs.a]
        b = [sample[span] for sample in pairs.b]
        summary[span] = {
            "a": statistics.median(a),
            "b": statistics.median(b),
            "b_minus_a": statistics.median(y - x for x, y in zip(a, b, strict=True)),
        }
    return summary


def span_text(summary: dict[str, dict[str, float]]) -> str:
    """``launch 3.1/3.4 s (+0.30)``, ... for the note."""
    return "; ".join(
        f"{span} {s['a']:.2f}/{s['b']:.2f} s ({s['b_minus_a']:+.2f})" for span, s in summary.items()
    )


def run(settings: Settings, data: DataSet) -> list[Row]:
    """The interleaved comparison; the headline is framework wall over plain wall."""
    env = bench_env(settings.workdir / "home")
    dwh_base, plain_base = str(data.fresh_base("dwh")), str(data.fresh_base("plain"))
    logs = settings.workdir / "eventlogs"
    runs = itertools.count()

    def plain() -> dict[str, float]:
        folder = logs / f"plain-{next(runs)}"
        command = plain_command(data, plain_base, event_log_conf(folder))
        return measure(command, env, event_log=folder)

    def framework() -> dict[str, float]:
        folder = logs / f"dwh-{next(runs)}"
        command = framework_command(data, dwh_base, event_log_conf(folder))
        return measure(command, env, event_log=folder)

    pairs = interleave(
        plain, framework, pairs=settings.overhead_pairs, warmup=0 if settings.quick else 1
    )
    timeline = span_summary(pairs)
    row = compare(
        f"framework overhead, filter_images, {data.rows:,} rows",
        ("plain PySpark script", "dwh generic entry"),
        pairs,
        target="ratio <= 1.03",
        limit=LIMIT,
        note="both cold spark-submit, local[*], the same --conf (event log on for both); "
        + ("quick: no warm-up pair" if settings.quick else "after one warm-up pair")
        + "; where the time goes (event log), median plain/dwh (median pair B-A): "
        + span_text(timeline),
    )
    row.data["spans"] = timeline
    return [row]

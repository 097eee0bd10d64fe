"""(7) Scale: filter_images at two sizes through spark-submit; wall ratio and peak RSS.

The driver's memory should stay flat: nothing is collected to the driver. Two peaks
are kept per run, polled from ``/proc`` (:class:`benchmarks.common.TreeSampler`): the
Python driver process, where a ``collect()`` or ``toPandas()`` would land, and the JVM,
which in local mode is the driver *and* the executor, so its peak follows the data
Spark buffers (up to the heap limit) rather than anything dwh does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.common import Settings, bench_env
from benchmarks.harness import Row, Summary, compare, interleave
from benchmarks.overhead import framework_command, measure

if TYPE_CHECKING:
    from benchmarks.data import DataSet


def run(settings: Settings, small: DataSet, large: DataSet) -> list[Row]:
    """Interleave the two sizes; the headline is the wall ratio, RSS in the note."""
    env = bench_env(settings.workdir / "home")
    small_base, large_base = small.fresh_base("scale"), large.fresh_base("scale")
    pairs = interleave(
        lambda: measure(framework_command(small, str(small_base)), env, sample=True),
        lambda: measure(framework_command(large, str(large_base)), env, sample=True),
        pairs=settings.scale_pairs,
        warmup=0,
    )
    py_a = Summary.of([s["python_mb"] for s in pairs.a])
    py_b = Summary.of([s["python_mb"] for s in pairs.b])
    jvm_a = Summary.of([s["java_mb"] for s in pairs.a])
    jvm_b = Summary.of([s["java_mb"] for s in pairs.b])
    factor = large.rows / small.rows
    driver_ratio = py_b.median / py_a.median
    row = compare(
        f"scale: {small.rows:,} vs {large.rows:,} rows",
        (f"{small.rows:,}", f"{large.rows:,}"),
        pairs,
        target=f"wall < {factor:.0f}x; Python driver peak RSS ratio <= 1.10",
        note=f"Python driver peak RSS {py_a.text('MB', 0)} vs {py_b.text('MB', 0)}; "
        f"JVM (local mode: driver + executor) {jvm_a.text('MB', 0)} vs {jvm_b.text('MB', 0)}; "
        f"{settings.scale_pairs} pairs, no warm-up pair (each run is its own process)",
    )
    row.headline += f"; driver RSS ratio {driver_ratio:.2f}"
    row.met = row.data["ratio"] < factor and driver_ratio <= 1.10
    return [row]

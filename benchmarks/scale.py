"""(7) Scale: filter_images at two sizes through spark-submit; wall ratio and peak RSS.

The driver's memory should stay flat: nothing is collected to the driver. The RSS is
the largest resident set of any process of the run (``wait4``): the driver JVM, which
in local mode also runs the executor's tasks, so it bounds the driver from above.
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
        lambda: measure(framework_command(small, str(small_base)), env),
        lambda: measure(framework_command(large, str(large_base)), env),
        pairs=settings.scale_pairs,
        warmup=0,
    )
    rss_a = Summary.of([s["rss_mb"] for s in pairs.a])
    rss_b = Summary.of([s["rss_mb"] for s in pairs.b])
    factor = large.rows / small.rows
    row = compare(
        f"scale: {small.rows:,} vs {large.rows:,} rows",
        (f"{small.rows:,}", f"{large.rows:,}"),
        pairs,
        target=f"wall < {factor:.0f}x; peak RSS ratio <= 1.25",
        note=f"peak RSS {rss_a.text('MB', 0)} vs {rss_b.text('MB', 0)} "
        f"(ratio {rss_b.median / rss_a.median:.2f}); no warm-up pair (each run is its own process)",
    )
    row.headline += f"; RSS ratio {rss_b.median / rss_a.median:.2f}"
    row.met = row.data["ratio"] < factor and rss_b.median / rss_a.median <= 1.25
    return [row]

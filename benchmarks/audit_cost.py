"""(audit) What the audit costs a run: filter_images with its checks and five more, against none.

Both sides run filter_images in this process, in one session, on the same generated
batch and history, interleaved. The checked side has the job's declared check (its
``content_hash`` unique in the day's partition) plus five from the config (``not_null``
on two columns, ``accepted_values``, ``row_count``, ``expression`` and ``unique`` on
``image_id``): one aggregation over the staged partition. The other side declares no
checks at all, so nothing is read back. Target: the audit adds at most 15% wall time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from benchmarks.harness import Row, Summary, interleave

if TYPE_CHECKING:
    from benchmarks.common import Settings
    from benchmarks.data import DataSet
    from dwh.checks import Check

LIMIT = 0.15
"""The share of wall time the audit may add."""

CONFIG_CHECKS = [
    {"not_null": ["image_id", "content_hash"]},
    {"accepted_values": {"column": "camera", "values": ["Pixel 8", "iPhone 15", "Canon EOS R6"]}},
    {"row_count": {"min": 1}},
    {"expression": "width > 0 AND height > 0"},
    {"unique": ["image_id"]},
]


def run(settings: Settings, data: DataSet, spark: Any) -> list[Row]:
    """One row: the checked run's median wall over the unchecked one's."""
    from dwh.jobs.filter_images.filter_images_job_factory import FilterImagesJobFactory

    class Unchecked(FilterImagesJobFactory):
        output_checks: ClassVar[Mapping[str, Sequence[Check]]] = {"filtered_output_path": []}

    def timed(factory: type[FilterImagesJobFactory], checks: list[dict[str, Any]]) -> float:
        config = json.loads(data.config(data.fresh_base("audit")))
        if checks:
            config["output_checks"] = {"filtered_output_path": checks}
        kwargs = {"filter_images_job": config, "has_spark": True, "run_store": "off"}
        started = time.perf_counter()
        factory(**kwargs).run(**kwargs)
        return time.perf_counter() - started

    spark.sparkContext.setLogLevel("ERROR")
    pairs = interleave(
        lambda: timed(Unchecked, []),
        lambda: timed(FilterImagesJobFactory, CONFIG_CHECKS),
        pairs=settings.pairs,
        warmup=1,
    )
    plain = Summary.of([s["wall"] for s in pairs.a])
    checked = Summary.of([s["wall"] for s in pairs.b])
    share = checked.median / plain.median - 1
    return [
        Row(
            measure=f"audit: filter_images, {data.rows:,} rows, 1 declared + 5 config checks",
            a=f"no checks: {plain.median:.2f} s",
            b=f"6 checks: {checked.median:.2f} s",
            headline=f"{share:+.1%} wall",
            target=f"<= +{LIMIT:.0%}",
            met=share <= LIMIT,
            note=f"{settings.pairs} interleaved pairs, in-process, one local session",
            data={"plain": plain.__dict__, "checked": checked.__dict__, "share": share},
        )
    ]

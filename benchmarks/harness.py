"""The measuring harness: interleaved pairs, summaries, the markdown table, the JSON file.

Nothing here knows about Spark or dwh, so it is tested with fake callables and no JVM.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Sample = Mapping[str, float]
"""One measurement: at least ``wall`` (seconds), plus any other figures (``rss_mb``...)."""

Measured = Callable[[], "float | Sample"]


def as_sample(value: float | Sample) -> dict[str, float]:
    """Normalise what a measured callable returns: a bare number is the wall time."""
    if isinstance(value, Mapping):
        return {str(k): float(v) for k, v in value.items()}
    return {"wall": float(value)}


@dataclass
class Pairs:
    """The samples of an interleaved A/B comparison (warm-up excluded)."""

    a: list[dict[str, float]] = field(default_factory=list)
    b: list[dict[str, float]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)


def interleave(a: Measured, b: Measured, *, pairs: int, warmup: int = 1) -> Pairs:
    """Run ``a, b`` ``warmup`` times (discarded), then ``pairs`` times (kept), alternating.

    Alternating means a slow minute on a shared machine hits both sides alike.
    """
    if pairs < 1:
        raise ValueError("pairs must be at least 1")
    for _ in range(warmup):
        a()
        b()
    result = Pairs()
    for _ in range(pairs):
        result.a.append(as_sample(a()))
        result.order.append("a")
        result.b.append(as_sample(b()))
        result.order.append("b")
    return result


def repeat(measure: Measured, *, times: int, warmup: int = 1) -> list[dict[str, float]]:
    """Run one measurement ``warmup`` times (discarded), then ``times`` times (kept)."""
    for _ in range(warmup):
        measure()
    return [as_sample(measure()) for _ in range(times)]


@dataclass
class Summary:
    """Median and range of one figure over the samples."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise ``values`` (at least one)."""
        if not values:
            raise ValueError("no values to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))

    def text(self, unit: str = "s", digits: int = 2) -> str:
        """``1.23 s (1.10-1.40)``."""
        return (
            f"{self.median:.{digits}f} {unit} "
            f"({self.low:.{digits}f}-{self.high:.{digits}f})".replace("  ", " ")
        )


def column(samples: Sequence[Mapping[str, float]], key: str = "wall") -> list[float]:
    """The ``key`` figure of every sample that has it."""
    return [s[key] for s in samples if key in s]


def pair_ratios(pairs: Pairs, key: str = "wall") -> list[float]:
    """``b / a`` for each kept pair: the spread of the ratio, not just of each side."""
    return [b[key] / a[key] for a, b in zip(pairs.a, pairs.b, strict=True) if a[key] > 0]


@dataclass
class Row:
    """One line of the results table.

    Attributes:
        measure: What was measured (``framework overhead``...).
        a: The baseline's label and summary text, or ``""``.
        b: The measured side's label and summary text.
        headline: The figure that answers the target: a ratio or a difference.
        target: The target as the issue states it.
        met: True, False, or None when there is no target or it can't be judged.
        note: Anything a reader needs to trust the figure.
        data: The raw samples and summaries, for the JSON file.
    """

    measure: str
    a: str
    b: str
    headline: str
    target: str = ""
    met: bool | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def compare(
    measure: str,
    labels: tuple[str, str],
    pairs: Pairs,
    *,
    target: str = "",
    limit: float | None = None,
    key: str = "wall",
    note: str = "",
) -> Row:
    """A row whose headline is the ratio of the medians, b over a (per-pair range too)."""
    sa, sb = Summary.of(column(pairs.a, key)), Summary.of(column(pairs.b, key))
    ratio = sb.median / sa.median if sa.median else float("inf")
    per_pair = pair_ratios(pairs, key)
    spread = Summary.of(per_pair)
    return Row(
        measure=measure,
        a=f"{labels[0]}: {sa.text()}",
        b=f"{labels[1]}: {sb.text()}",
        headline=f"ratio {ratio:.3f} (pairs {spread.low:.3f}-{spread.high:.3f})",
        target=target,
        met=None if limit is None else ratio <= limit,
        note=note,
        data={
            "a": pairs.a,
            "b": pairs.b,
            "order": pairs.order,
            "ratio": ratio,
            "pair_ratios": per_pair,
        },
    )


def seconds_row(
    measure: str,
    label: str,
    values: Sequence[float],
    samples: Sequence[Mapping[str, float]],
    *,
    limit: float,
    note: str = "",
) -> Row:
    """A row whose headline is the median of ``values`` in seconds, against ``limit``."""
    summary = Summary.of(list(values))
    return Row(
        measure=measure,
        a="",
        b=f"{label}: {summary.text()}",
        headline=f"{summary.median:.3f} s",
        target=f"<= {limit:g} s",
        met=summary.median <= limit,
        note=f"{note}; n={summary.n}" if note else f"n={summary.n}",
        data={"samples": list(samples)},
    )


def difference(
    measure: str,
    labels: tuple[str, str],
    pairs: Pairs,
    *,
    target: str = "",
    limit: float | None = None,
    note: str = "",
) -> Row:
    """A row whose headline is b's median wall minus a's, in seconds."""
    sa, sb = Summary.of(column(pairs.a)), Summary.of(column(pairs.b))
    delta = sb.median - sa.median
    per_pair = [b["wall"] - a["wall"] for a, b in zip(pairs.a, pairs.b, strict=True)]
    spread = Summary.of(per_pair)
    return Row(
        measure=measure,
        a=f"{labels[0]}: {sa.text()}",
        b=f"{labels[1]}: {sb.text()}",
        headline=f"+{delta:.3f} s (pairs {spread.low:+.3f} to {spread.high:+.3f})",
        target=target,
        met=None if limit is None else delta <= limit,
        note=note,
        data={
            "a": pairs.a,
            "b": pairs.b,
            "order": pairs.order,
            "difference": delta,
            "ratio": sb.median / sa.median if sa.median else None,
        },
    )


def markdown_table(rows: Sequence[Row]) -> str:
    """The results as a markdown table; a failed target reads ``no``, a met one ``yes``."""
    lines = [
        "| measure | A | B | headline | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        met = {True: "yes", False: "**no**", None: "-"}[row.met]
        cells = [row.measure, row.a or "-", row.b, row.headline, row.target or "-", met]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    notes = [f"- {row.measure}: {row.note}" for row in rows if row.note]
    return "\n".join(lines + (["", *notes] if notes else []))


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    return os.getloadavg()


def memory_mb() -> int:
    """Total memory in MB, from ``/proc/meminfo`` (0 where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def java_version() -> str:
    """The first line of ``java -version``, or ``none``."""
    try:
        out = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "none"
    return (out.stderr or out.stdout).splitlines()[0] if (out.stderr or out.stdout) else "none"


def package_version(name: str) -> str:
    """An installed distribution's version, without importing it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_facts() -> dict[str, Any]:
    """What a reader needs to place the numbers: cores, memory, versions, load, date."""
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_mb": memory_mb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "java": java_version(),
        "pyspark": package_version("pyspark"),
        "pydantic": package_version("pydantic"),
        "textual": package_version("textual"),
        "load_average_start": list(load_average()),
    }


def write_results(
    path: Path, rows: Sequence[Row], facts: Mapping[str, Any], settings: Mapping[str, Any]
) -> None:
    """Write the facts, the settings and every row (raw samples included) as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "machine": dict(facts),
        "settings": dict(settings),
        "rows": [asdict(row) for row in rows],
        "table": markdown_table(rows),
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(body, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def python() -> str:
    """The interpreter to run probes with: this one (the venv's)."""
    return sys.executable

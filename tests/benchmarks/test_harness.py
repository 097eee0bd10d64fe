"""The benchmark harness with fake measurements: interleaving, summaries, table, JSON.

No JVM and no timing assertions: the measured callables are fakes returning set numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.harness import (
    Pairs,
    Row,
    Summary,
    as_sample,
    compare,
    difference,
    interleave,
    machine_facts,
    markdown_table,
    repeat,
    write_results,
)


class Fake:
    """Returns the next of ``values`` on each call and logs ``name`` in ``calls``."""

    def __init__(self, name: str, values: list[float], calls: list[str]) -> None:
        self.name, self.values, self.calls = name, list(values), calls

    def __call__(self) -> float:
        self.calls.append(self.name)
        return self.values.pop(0)


def test_interleave_alternates_and_drops_the_warmup() -> None:
    calls: list[str] = []
    a = Fake("a", [99.0, 1.0, 2.0, 3.0], calls)
    b = Fake("b", [99.0, 2.0, 4.0, 6.0], calls)
    pairs = interleave(a, b, pairs=3, warmup=1)
    assert calls == ["a", "b"] * 4
    assert [s["wall"] for s in pairs.a] == [1.0, 2.0, 3.0]
    assert [s["wall"] for s in pairs.b] == [2.0, 4.0, 6.0]
    assert pairs.order == ["a", "b"] * 3


def test_interleave_needs_a_pair() -> None:
    with pytest.raises(ValueError):
        interleave(lambda: 1.0, lambda: 1.0, pairs=0)


def test_samples_may_carry_more_than_wall() -> None:
    assert as_sample(1.5) == {"wall": 1.5}
    assert as_sample({"wall": 2, "rss_mb": 300}) == {"wall": 2.0, "rss_mb": 300.0}
    assert repeat(iter([5.0, 1.0, 2.0]).__next__, times=2) == [{"wall": 1.0}, {"wall": 2.0}]


def test_summary_is_median_and_range() -> None:
    summary = Summary.of([3.0, 1.0, 2.0, 10.0])
    assert (summary.median, summary.low, summary.high, summary.n) == (2.5, 1.0, 10.0, 4)
    assert summary.text() == "2.50 s (1.00-10.00)"
    with pytest.raises(ValueError):
        Summary.of([])


def _pairs(a: list[float], b: list[float]) -> Pairs:
    return Pairs([{"wall": x} for x in a], [{"wall": x} for x in b], ["a", "b"] * len(a))


def test_compare_headlines_the_ratio_of_medians_and_judges_the_target() -> None:
    row = compare("overhead", ("plain", "dwh"), _pairs([10, 11, 12], [10, 11.5, 12]), limit=1.03)
    assert row.data["ratio"] == pytest.approx(11.5 / 11)
    assert row.headline.startswith("ratio 1.045")
    assert row.met is False
    assert compare("x", ("a", "b"), _pairs([10], [10]), limit=1.03).met is True
    assert compare("x", ("a", "b"), _pairs([10], [10])).met is None


def test_difference_headlines_the_gap_in_seconds() -> None:
    row = difference("light", ("bare", "dwh"), _pairs([0.1, 0.1], [0.2, 0.3]), limit=0.15)
    assert row.data["difference"] == pytest.approx(0.15)
    assert row.met is True
    assert row.headline.startswith("+0.150 s")


def test_table_and_json(tmp_path: Path) -> None:
    rows = [
        compare("a | b", ("x", "y"), _pairs([1], [2]), target="<= 1", limit=1.0, note="why"),
        Row("plain", "", "3 s", "3 s"),
    ]
    table = markdown_table(rows)
    lines = table.splitlines()
    assert lines[0] == "| measure | A | B | headline | target | met |"
    assert lines[2].startswith("| a \\| b | x: 1.00 s (1.00-1.00) | y: 2.00 s")
    assert lines[2].endswith("| <= 1 | **no** |")
    assert lines[3] == "| plain | - | 3 s | 3 s | - | - |"
    assert lines[-1] == "- a | b: why"
    facts = machine_facts()
    for key in ("cpu_count", "memory_mb", "python", "java", "pyspark", "load_average_start"):
        assert key in facts
    out = tmp_path / "results" / "latest.json"
    write_results(out, rows, facts, {"mode": "test"})
    body = json.loads(out.read_text())
    assert body["settings"] == {"mode": "test"}
    assert body["table"] == table
    assert body["rows"][0]["data"]["a"] == [{"wall": 1.0}]
    assert not list(out.parent.glob("*.tmp"))


def test_both_pytest_sessions_of_make_test_are_read() -> None:
    from benchmarks.test_tiers import pytest_summaries

    output = (
        "dwh check: 3 jobs\n........ [100%]\n"
        "576 passed, 21 deselected, 2 warnings in 240.12s (0:04:00)\n"
        "..\n========= 21 passed, 576 deselected in 355.70s (0:05:55) =========\n"
    )

    assert pytest_summaries(output) == [
        ("576 passed, 21 deselected, 2 warnings in 240.12s (0:04:00)", 240.12),
        ("21 passed, 576 deselected in 355.70s (0:05:55)", 355.7),
    ]

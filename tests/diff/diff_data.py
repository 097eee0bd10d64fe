"""Rows with known changes, and their diff computed with plain Python (dicts, Counter)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from dwh.testing.outputs import commit_version, write_files

__all__ = [
    "commit_version",
    "edited",
    "expected_by_key",
    "expected_multiset",
    "old_rows",
    "write_files",
]

Row = dict[str, Any]


def old_rows(n: int = 200) -> list[Row]:
    return [
        {"id": i, "width": 640 + i % 9, "camera": f"cam-{i % 3}", "day": 24 + i % 2}
        for i in range(n)
    ]


def edited(rows: list[Row]) -> list[Row]:
    """Drop ids divisible by 13, add 7 new ids, widen every 4th, recolour every 10th."""
    out = []
    for row in rows:
        if row["id"] % 13 == 0:
            continue
        row = dict(row)
        if row["id"] % 4 == 1:
            row["width"] += 1
        if row["id"] % 10 == 3:
            row["camera"] = "cam-x"
        out.append(row)
    top = max(r["id"] for r in rows)
    out += [{"id": top + k, "width": 700, "camera": "cam-new", "day": 25} for k in range(1, 8)]
    return out


def expected_by_key(old: list[Row], new: list[Row], key: str) -> dict[str, Any]:
    """The diff's counts, computed with plain dicts and sets."""
    before, after = {r[key]: r for r in old}, {r[key]: r for r in new}
    both = before.keys() & after.keys()
    columns = [c for c in new[0] if c in old[0] and c != key]
    changed = {c: sum(1 for k in both if before[k][c] != after[k][c]) for c in columns}
    rows_changed = sum(1 for k in both if any(before[k][c] != after[k][c] for c in columns))
    return {
        "only_old": len(before.keys() - after.keys()),
        "only_new": len(after.keys() - before.keys()),
        "both": len(both),
        "changed": rows_changed,
        "columns": changed,
    }


def expected_multiset(old: list[Row], new: list[Row]) -> tuple[int, int]:
    """Rows only before and only after, counted with repeats (plain Counter)."""
    common = [c for c in new[0] if c in old[0]]
    before = Counter(tuple(r[c] for c in common) for r in old)
    after = Counter(tuple(r[c] for c in common) for r in new)
    return sum((before - after).values()), sum((after - before).values())

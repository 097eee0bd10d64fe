"""Versions of an output with known changes, committed the way a loader commits them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dwh.services.atomic_commit import commit, stage_path

Row = dict[str, Any]


def write_files(folder: Path, rows: list[Row], fmt: str, partition_by: Sequence[str] = ()) -> None:
    """Write ``rows`` as one part file (per partition) in ``fmt`` under ``folder``."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row[c] for c in partition_by), []).append(row)
    for values, members in sorted(groups.items()):
        sub = folder.joinpath(*(f"{c}={v}" for c, v in zip(partition_by, values, strict=True)))
        sub.mkdir(parents=True, exist_ok=True)
        data = [{k: v for k, v in r.items() if k not in partition_by} for r in members]
        if fmt == "parquet":
            pq.write_table(pa.Table.from_pylist(data), sub / "part-00000.snappy.parquet")
        elif fmt == "csv":
            pacsv.write_csv(pa.Table.from_pylist(data), sub / "part-00000.csv")
        else:
            lines = "".join(json.dumps(r) + "\n" for r in data)
            (sub / "part-00000.json").write_text(lines, encoding="utf-8")
    (folder / "_SUCCESS").touch()


def commit_version(
    target: Path, rows: list[Row], fmt: str = "parquet", partition_by: Sequence[str] = ()
) -> None:
    """Stage ``rows`` beside ``target`` and commit them, keeping the replaced version."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = stage_path(target)
    staged.mkdir()
    write_files(staged, rows, fmt, partition_by)
    commit(staged, target)


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

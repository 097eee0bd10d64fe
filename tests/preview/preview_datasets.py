"""Datasets in every format and layout ``dwh preview`` reads, written with pyarrow."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

ROWS = 120


def sample_table(rows: int = ROWS) -> pa.Table:
    start = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    return pa.table(
        {
            "id": list(range(rows)),
            "name": [f"row-{i}" for i in range(rows)],
            "score": [i / 4 for i in range(rows)],
            "at": [start + dt.timedelta(seconds=i) for i in range(rows)],
        }
    )


def _json_lines(table: pa.Table, path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in table.to_pylist():
            handle.write(json.dumps({**row, "at": row["at"].isoformat()}) + "\n")


def _parquet_file(root: Path) -> Path:
    pq.write_table(sample_table(), root / "one.parquet")
    return root / "one.parquet"


def _csv_file(root: Path) -> Path:
    pacsv.write_csv(sample_table(), root / "one.csv")
    return root / "one.csv"


def _json_file(root: Path) -> Path:
    _json_lines(sample_table(), root / "one.jsonl")
    return root / "one.jsonl"


def _parquet_parts(root: Path) -> Path:
    """Spark's layout: part files, a _SUCCESS marker, and dwh's hidden previous version."""
    folder = root / "parts"
    folder.mkdir()
    table = sample_table()
    for i, start in enumerate(range(0, ROWS, 50)):
        pq.write_table(table.slice(start, 50), folder / f"part-{i:05d}-x.snappy.parquet")
    (folder / "_SUCCESS").touch()
    (folder / ".part-00000-x.snappy.parquet.crc").write_bytes(b"crc")
    hidden = root / ".parts.dwh-previous-1-abcd"
    hidden.mkdir()
    pq.write_table(sample_table(999), hidden / "part-00000.parquet")
    nested_hidden = folder / "_temporary"
    nested_hidden.mkdir()
    pq.write_table(sample_table(999), nested_hidden / "part-00009.parquet")
    return folder


def _csv_parts(root: Path) -> Path:
    folder = root / "csv_parts"
    folder.mkdir()
    table = sample_table()
    pacsv.write_csv(table.slice(0, 60), folder / "part-00000.csv")
    pacsv.write_csv(table.slice(60), folder / "part-00001.csv")
    (folder / "_SUCCESS").touch()
    return folder


def _json_parts(root: Path) -> Path:
    folder = root / "json_parts"
    folder.mkdir()
    table = sample_table()
    _json_lines(table.slice(0, 70), folder / "part-00000")  # no suffix: sniffed
    _json_lines(table.slice(70), folder / "part-00001")
    (folder / "_SUCCESS").touch()
    return folder


def _hive(root: Path) -> Path:
    folder = root / "hive"
    table = sample_table()
    for day, (start, length) in enumerate(((0, 40), (40, 45), (85, 35)), start=1):
        part = folder / "year=2026" / "month=11" / f"day={day}"
        part.mkdir(parents=True)
        pq.write_table(table.slice(start, length), part / "part-00000.snappy.parquet")
    (folder / "_SUCCESS").touch()
    return folder


LAYOUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "parquet file": (_parquet_file, "parquet"),
    "csv file": (_csv_file, "csv"),
    "json lines file": (_json_file, "json"),
    "parquet part files": (_parquet_parts, "parquet"),
    "csv part files": (_csv_parts, "csv"),
    "json part files without suffix": (_json_parts, "json"),
    "hive partitioned": (_hive, "parquet"),
}


def arrow_count(path: Path, fmt: str) -> int:
    """The row count pyarrow itself gives, as the reference."""
    if path.is_file():
        return ds.dataset(path, format=fmt).count_rows()
    return ds.dataset(
        path, format=fmt, partitioning="hive", ignore_prefixes=[".", "_"]
    ).count_rows()

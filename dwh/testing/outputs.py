"""Build what a finished run leaves behind, without Spark: output files and a store row.

For tests of what reads outputs back (``dwh preview``, the TUI's preview)::

    from dwh.testing.outputs import record_succeeded_run, write_images_outputs

    outputs = write_images_outputs(tmp_path, rows=50, rejects=7)
    record_succeeded_run(store, "20261125T183000Z-a1b2c3", "transform_images", outputs)

For tests of ``dwh diff``, :func:`commit_version` commits rows as a new version of an
output folder the way a loader does, keeping the replaced one as the baseline.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.events import Event, EventName

if TYPE_CHECKING:
    from dwh.runs.store import RunStore

REJECT_REASONS: tuple[str, ...] = ("missing_id", "bad_json", "missing_url")
"""The reasons :func:`write_images_outputs` cycles through for its rejects."""


def write_images_outputs(folder: Path, *, rows: int = 50, rejects: int = 7) -> dict[str, str]:
    """Write a ``transform_images``-like output and rejects folder with pyarrow.

    Each is a folder of two part files plus a ``_SUCCESS`` marker, as Spark writes them.

    Returns:
        The outputs as a run records them: ``output_path`` and ``rejects_path``.
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    start = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)
    images = pa.table(
        {
            "image_id": [f"img-{i:05d}" for i in range(rows)],
            "width": [640 + (i % 7) * 64 for i in range(rows)],
            "height": [480 + (i % 5) * 48 for i in range(rows)],
            "captured_at": [start + dt.timedelta(minutes=i) for i in range(rows)],
            "camera": [f"cam-{i % 3}" for i in range(rows)],
        }
    )
    rejected = pa.table(
        {
            "raw": [f'{{"line": {i}}}' for i in range(rejects)],
            "reject_reason": [REJECT_REASONS[i % len(REJECT_REASONS)] for i in range(rejects)],
        }
    )
    outputs = {}
    for name, table in (("output_path", images), ("rejects_path", rejected)):
        target = folder / ("images" if name == "output_path" else "images_rejects")
        target.mkdir(parents=True, exist_ok=True)
        half = table.num_rows // 2
        pq.write_table(table.slice(0, half), target / "part-00000.snappy.parquet")
        pq.write_table(table.slice(half), target / "part-00001.snappy.parquet")
        (target / "_SUCCESS").touch()
        outputs[name] = str(target)
    return outputs


def record_succeeded_run(
    store: RunStore,
    run_id: str,
    job: str,
    outputs: dict[str, str],
    *,
    minute: str = "2026-11-25T18:30",
    config: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
) -> None:
    """Record a started, two-phase, succeeded run with ``outputs`` at fixed times."""
    base: dict[str, Any] = {"job": job, "run_id": run_id}
    events = [
        Event(
            EventName.JOB_STARTED,
            payload={"config": config or {}, "config_hash": "0123456789abcdef"},
            at=f"{minute}:00.000Z",
            **base,
        ),
        Event(
            EventName.PHASE_FINISHED,
            payload={"phase": "extract", "rows": 57, "seconds": 1.0},
            at=f"{minute}:01.000Z",
            **base,
        ),
        Event(
            EventName.SPARK_PROGRESS,
            payload={
                "stage_id": 3,
                "tasks_done": 4,
                "tasks_running": 0,
                "tasks_total": 4,
                "tasks_failed": 0,
            },
            at=f"{minute}:01.500Z",
            **base,
        ),
        Event(
            EventName.PHASE_FINISHED,
            payload={"phase": "load", "rows": 50, "seconds": 2.0},
            at=f"{minute}:03.000Z",
            **base,
        ),
        Event(
            EventName.JOB_SUCCEEDED,
            payload={"metrics": metrics or {"output_rows": 50}, "outputs": outputs},
            at=f"{minute}:03.500Z",
            **base,
        ),
    ]
    for event in events:
        store.record(event, module=f"dwh.jobs.{job}.{job}_job_factory")


def write_files(
    folder: Path,
    rows: Sequence[Mapping[str, Any]],
    fmt: str = "parquet",
    partition_by: Sequence[str] = (),
) -> None:
    """Write ``rows`` under ``folder``: one part file per partition, plus ``_SUCCESS``.

    Args:
        folder: The dataset folder (created).
        rows: The rows, all with the same keys.
        fmt: ``parquet``, ``csv`` (with a header) or ``json`` (JSON lines).
        partition_by: Columns to write as ``key=value`` folders instead of in the files.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]
    import pyarrow.parquet as pq

    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
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
            lines = "".join(json.dumps(r, default=str) + "\n" for r in data)
            (sub / "part-00000.json").write_text(lines, encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_SUCCESS").touch()


def commit_version(
    target: Path,
    rows: Sequence[Mapping[str, Any]],
    fmt: str = "parquet",
    partition_by: Sequence[str] = (),
) -> None:
    """Commit ``rows`` as the new version of the folder ``target``, as a loader does.

    The rows are staged beside ``target`` and swapped in by
    :func:`dwh.services.atomic_commit.commit`, which keeps the replaced version.
    """
    from dwh.services.atomic_commit import commit, stage_path

    target.parent.mkdir(parents=True, exist_ok=True)
    staged = stage_path(target)
    write_files(staged, rows, fmt, partition_by)
    commit(staged, target)

"""See what a job wrote: schema, exact row count and first rows of a path or a run's output.

::

    from dwh.preview import preview
    shown = preview("out/images", limit=100)          # a file or folder
    shown = preview("20261125T183000Z-a1b2c3", output="rejects_path")  # a run's output
    shown.row_count, shown.schema, shown.table.to_pandas()

Local paths are read with pyarrow, without a JVM: a Parquet row count comes from the
file footers, so a 1M-row output previews in well under a second. Paths pyarrow can't
read (``s3://`` and the like) go through Spark, the warm server's session when one runs
(pyspark is imported only then). A run id resolves to the outputs its
``job_succeeded`` event recorded in the run store.

This package imports neither pyspark nor pandas at module level; pyarrow is imported
when data is read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.errors import PreviewTargetError
from dwh.preview._export import export_rows, value_counts
from dwh.preview._layout import FORMATS, Layout, find_layout, format_of, is_hidden
from dwh.preview._model import DEFAULT_LIMIT, SAMPLE_FORMAT, Column, Preview
from dwh.preview._runs import RunOutput, describe_outputs, find_run, pick_output
from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from dwh.runs.store import RunRecord, RunStore

__all__ = [
    "DEFAULT_LIMIT",
    "FORMATS",
    "SAMPLE_FORMAT",
    "Column",
    "Layout",
    "Preview",
    "RemoteReader",
    "RunOutput",
    "Target",
    "describe_outputs",
    "export_rows",
    "find_layout",
    "format_of",
    "is_hidden",
    "open_store",
    "pick_output",
    "preview",
    "preview_path",
    "preview_rows",
    "read_table",
    "resolve_run",
    "resolve_target",
    "value_counts",
]


RemoteReader = Callable[[str, int], Preview]
"""Reads a remote URI, ``(uri, limit) -> Preview``: ``dwh.preview.spark.preview_with_spark``."""


def preview_path(
    path: str | Path, limit: int = DEFAULT_LIMIT, *, remote: RemoteReader | None = None
) -> Preview:
    """Preview the dataset at ``path``: a local file or folder, or a remote URI.

    Local paths are read with pyarrow. A remote URI needs ``remote``, the Spark reader,
    which the caller passes in: this package never imports pyspark, so the TUI can use
    it (the CLI and notebooks pass :func:`dwh.preview.spark.preview_with_spark`).

    Raises:
        PreviewTargetError: Nothing is at a local ``path``, it holds no data files, or
            it is remote and no ``remote`` reader was given.
        DataReadError: The data is corrupt or unreadable.
    """
    _check_limit(limit)
    _check_target(str(path))
    local = local_path(str(path))
    if local is None:
        if remote is None:
            raise PreviewTargetError(
                f"{path} is not a local path: preview it with `dwh preview {path}`, "
                "which reads it through Spark"
            )
        if not str(path).partition("://")[2].strip("/"):
            raise PreviewTargetError(f"{path} names no bucket, host or path after the scheme")
        return remote(str(path), limit)
    from dwh.preview._arrow import preview_local

    return preview_local(local, limit)


def preview_rows(rows: list[dict[str, Any]], *, path: str, row_count: int | None = None) -> Preview:
    """A preview of rows held in memory (a failed check's samples): see ``_arrow``."""
    from dwh.preview._arrow import preview_rows as from_rows

    return from_rows(rows, path=path, row_count=row_count)


def read_table(path: str | Path) -> tuple[Layout, pa.Table]:
    """Read the whole local dataset at ``path`` with pyarrow (partition columns too).

    Raises:
        PreviewTargetError: Nothing is at ``path``, or no data files are in it.
        DataReadError: A file is corrupt or not in the format its name says.
    """
    from dwh.preview._arrow import read_table as read_layout

    layout = find_layout(path)
    return layout, read_layout(layout)


def resolve_run(target: str, store: RunStore | None) -> RunRecord | None:
    """Return the run ``target`` names when it is not a path but a recorded run id."""
    local = local_path(target)
    if not target.strip() or local is None or _on_disk(local):
        return None
    return find_run(store, target)


@dataclass(frozen=True)
class Target:
    """What a ``dwh preview`` or ``dwh diff`` TARGET names.

    Attributes:
        path: The dataset's file, folder or URI.
        record: The run the target named, or None for a path.
        output: The run's output name (``output_path``), or None for a path.
    """

    path: str
    record: RunRecord | None = None
    output: str | None = None


def resolve_target(
    target: str | Path, *, output: str | None = None, store: RunStore | None = None
) -> Target:
    """Resolve a path, or a run id and one of its outputs, to the dataset's path.

    Args:
        target: A file or folder (local or remote), or a run id in the run store.
        output: Which of the run's outputs (its name, ``output_path`` say); needed when
            the run recorded several. Not allowed with a path.
        store: The run store to look run ids up in; by default the environment's.

    Raises:
        PreviewTargetError: A missing path, an unknown run id, a run without outputs,
            or an unknown ``output`` name.
    """
    text = str(target)
    _check_target(text)
    local = local_path(text)
    if local is not None and _on_disk(local):
        if output is not None:
            raise PreviewTargetError(
                f"--output {output!r} picks a run's output, but {text} is a path"
            )
        return Target(text)
    opened = store is None and local is not None
    if opened:
        store = open_store()
    try:
        record = resolve_run(text, store)
    finally:
        if opened and store is not None:
            store.close()
    if record is None:
        if local is not None:
            raise PreviewTargetError(f"no file or folder at {text}, and no run with that id")
        if output is not None:
            raise PreviewTargetError(
                f"--output {output!r} picks a run's output, but {text} is a remote path"
            )
        return Target(text)
    name, path = pick_output(record, output)
    return Target(path, record, name)


def preview(
    target: str | Path,
    *,
    output: str | None = None,
    limit: int = DEFAULT_LIMIT,
    store: RunStore | None = None,
    remote: RemoteReader | None = None,
) -> Preview:
    """Preview a path, or one output of a recorded run.

    Args:
        target: A file or folder (local or remote), or a run id in the run store.
        output: Which of the run's outputs (see :func:`resolve_target`).
        limit: How many rows to bring back (0 for the schema and count only).
        store: The run store to look run ids up in; by default the environment's.
        remote: Reads remote URIs (see :func:`preview_path`).

    Raises:
        PreviewTargetError: A missing path, an unknown run id, a run without outputs,
            or an unknown ``output`` name.
        DataReadError: The data is corrupt or unreadable.
    """
    _check_limit(limit)
    resolved = resolve_target(target, output=output, store=store)
    return preview_path(resolved.path, limit, remote=remote)


def open_store() -> RunStore | None:
    """Open the environment's run store for reading; None when off or not created yet."""
    from dwh.runs.store import RunStore

    return RunStore.open_existing().store


def _check_target(text: str) -> None:
    if not text.strip():
        raise PreviewTargetError(
            "TARGET is empty: give a file, a folder, a remote URI or a run id from `dwh runs`"
        )
    if "\0" in text:
        raise PreviewTargetError(f"TARGET {text!r} contains a NUL byte, which no path can hold")


def _on_disk(path: Path) -> bool:
    """Whether anything, even a dangling link, is at ``path`` (False for a NUL in it)."""
    return os.path.lexists(path)


def _check_limit(limit: int) -> None:
    if limit < 0:
        raise PreviewTargetError(f"limit must be 0 or more, got {limit}")

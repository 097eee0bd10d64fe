"""Read a local dataset with pyarrow: no JVM, and Parquet counts come from the footers.

``pyarrow.dataset`` would do all of this in a few calls, but importing it imports pandas
(about 1 s on a loaded 2-core machine, more than the whole preview should take). The
file readers used here (``pyarrow.parquet``, ``pyarrow.csv``, ``pyarrow.json``) do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO

from dwh.errors import DataReadError
from dwh.preview._layout import Layout, find_layout
from dwh.preview._model import SAMPLE_FORMAT, Preview, columns_of

if TYPE_CHECKING:
    from pathlib import Path

    import pyarrow as pa  # type: ignore[import-untyped]

_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_BATCH = 65_536


def preview_local(path: str | Path, limit: int) -> Preview:
    """Preview the local file or folder at ``path``.

    Raises:
        PreviewTargetError: Nothing is at ``path``, or no data files are in it.
        DataReadError: A file is corrupt or not in the format its name says.
    """
    layout = find_layout(path)
    with _reading(layout):
        row_count, table = _count_and_head(layout, limit)
    return Preview(
        path=str(path),
        format=layout.format,
        row_count=row_count,
        schema=columns_of(table.schema),
        table=table,
        partition_columns=layout.partition_columns,
        files=len(layout.files),
    )


def count_rows(layout: Layout) -> int:
    """Return the exact row count of a layout (Parquet: from the footers only).

    Raises:
        DataReadError: A file can't be read.
    """
    with _reading(layout):
        if layout.format == "parquet":
            return sum(_footer_rows(f) for f in layout.files)
        return sum(batch.num_rows for f in layout.files for batch in _batches(layout, f))


def read_table(layout: Layout) -> pa.Table:
    """Return the whole dataset as one table, hive partition columns included.

    Files whose schemas differ (a column added in later parts) are unified, missing
    columns as nulls.

    Raises:
        DataReadError: A file can't be read, or the files' schemas don't unify.
    """
    with _reading(layout):
        batches = [
            _with_partitions(layout, file, batch)
            for file in layout.files
            for batch in _batches(layout, file)
        ]
        return _concat(batches)


def read_column(layout: Layout, column: str) -> pa.ChunkedArray:
    """Return one column of the whole dataset (partition columns too).

    Raises:
        DataReadError: A file can't be read.
    """
    import pyarrow as pa

    chunks = []
    with _reading(layout):
        for file in layout.files:
            for batch in _batches(layout, file, columns=[column]):
                chunks.append(_with_partitions(layout, file, batch).column(column))
    return pa.chunked_array(chunks)


def _count_and_head(layout: Layout, limit: int) -> tuple[int, pa.Table]:
    """The exact count and the first ``limit`` rows, reading as little as the format allows."""
    parquet = layout.format == "parquet"
    count = 0
    head: list[pa.RecordBatch] = []
    taken = 0
    for file in layout.files:
        if parquet:
            count += _footer_rows(file)
            if head and taken >= limit:
                continue  # the footer gave the count: no rows need reading
        for batch in _batches(layout, file, size=max(1, min(limit, _BATCH))):
            if not parquet:
                count += batch.num_rows
            if not head or taken < limit:
                part = _with_partitions(layout, file, batch.slice(0, max(0, limit - taken)))
                head.append(part)
                taken += part.num_rows
            elif parquet:
                break
    return count, _concat(head)


def _batches(
    layout: Layout, file: Path, *, size: int = _BATCH, columns: list[str] | None = None
) -> Iterator[pa.RecordBatch]:
    """The file's rows in batches (with an empty first batch for an empty file)."""
    data_columns = None
    if columns is not None:
        data_columns = [c for c in columns if c not in layout.partition_columns]
    with _opened(file) as source:
        yield from _read_batches(layout, source, size, data_columns)


def _read_batches(
    layout: Layout, source: str | BinaryIO, size: int, data_columns: list[str] | None
) -> Iterator[pa.RecordBatch]:
    if layout.format == "parquet":
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        parquet = pq.ParquetFile(source)
        yielded = False
        for batch in parquet.iter_batches(batch_size=size, columns=data_columns):
            yielded = True
            yield batch
        if not yielded:
            yield _empty_batch(parquet.schema_arrow, data_columns)
        return
    if layout.format == "csv":
        import pyarrow.csv as pacsv  # type: ignore[import-untyped]

        options = pacsv.ConvertOptions(include_columns=data_columns) if data_columns else None
        reader = pacsv.open_csv(source, convert_options=options)
        yielded = False
        for batch in reader:
            yielded = True
            yield batch
        if not yielded:
            yield _empty_batch(reader.schema, None)
        return
    import pyarrow.json as pajson  # type: ignore[import-untyped]

    table = pajson.read_json(source)
    if data_columns is not None:
        table = table.select(data_columns)
    batches = table.to_batches(max_chunksize=size)
    yield from batches or [_empty_batch(table.schema, None)]


def _footer_rows(file: Path) -> int:
    """A Parquet file's row count, from its footer alone."""
    import pyarrow.parquet as pq

    with _opened(file) as source:
        return int(pq.ParquetFile(source).metadata.num_rows)


@contextmanager
def _opened(file: Path) -> Iterator[str | BinaryIO]:
    """What pyarrow reads ``file`` from: its path, or an open file when the name is not
    UTF-8 (pyarrow encodes paths as UTF-8; a non-UTF-8 name holds lone surrogates)."""
    text = str(file)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        with file.open("rb") as handle:
            yield handle
        return
    yield text


def _empty_batch(schema: pa.Schema, columns: list[str] | None) -> pa.RecordBatch:
    import pyarrow as pa

    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    return pa.RecordBatch.from_arrays([pa.nulls(0, f.type) for f in schema], schema=schema)


def _with_partitions(layout: Layout, file: Path, batch: pa.RecordBatch) -> pa.RecordBatch:
    """Append the hive partition columns (``year=2026`` folders) to a batch of ``file``."""
    if not layout.partition_columns:
        return batch
    import pyarrow as pa

    values = _partition_values(layout, file)
    arrays = list(batch.columns)
    fields = list(batch.schema)
    for name in layout.partition_columns:
        if name in batch.schema.names:
            continue
        kind = pa.int32() if _all_ints(layout, name) else pa.string()
        arrays.append(_constant(values.get(name), kind, batch.num_rows))
        fields.append(pa.field(name, kind))
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


def _constant(raw: str | None, kind: pa.DataType, length: int) -> pa.Array:
    """``length`` copies of one partition value, built from buffers.

    ``pa.array([...])`` would import pandas (pyarrow checks for pandas-like input).
    """
    import struct

    import pyarrow as pa

    if raw is None:
        return pa.nulls(length, kind)
    if kind == pa.int32():
        data = struct.pack("<i", int(raw)) * length
        return pa.Array.from_buffers(kind, length, [None, pa.py_buffer(data)])
    encoded = raw.encode("utf-8")
    offsets = struct.pack(f"<{length + 1}i", *range(0, (length + 1) * len(encoded), len(encoded)))
    return pa.Array.from_buffers(
        kind, length, [None, pa.py_buffer(offsets), pa.py_buffer(encoded * length)]
    )


def _partition_values(layout: Layout, file: Path) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for part in file.relative_to(layout.root).parts[:-1]:
        key, _, value = part.partition("=")
        values[key] = None if value == _HIVE_NULL else value
    return values


def _all_ints(layout: Layout, name: str) -> bool:
    """Whether every folder value of partition ``name`` is an integer (as Hive infers)."""
    seen = (_partition_values(layout, f).get(name) for f in layout.files)
    return all(v is None or v.lstrip("-").isdigit() for v in seen)


def _concat(batches: list[pa.RecordBatch]) -> pa.Table:
    import pyarrow as pa

    tables = [pa.Table.from_batches([b]) for b in batches]
    return pa.concat_tables(tables, promote_options="permissive")


@contextmanager
def _reading(layout: Layout) -> Iterator[None]:
    """Turn pyarrow's errors (a corrupt file, a bad format) into one DataReadError."""
    try:
        yield
    except (OSError, ValueError, KeyError, TypeError) as exc:  # ArrowInvalid: ValueError
        lines = str(exc).strip().splitlines()
        line = lines[0] if lines else type(exc).__name__
        raise DataReadError(f"cannot read {layout.format} at {layout.root}: {line}") from exc


def preview_rows(rows: list[dict[str, Any]], *, path: str, row_count: int | None = None) -> Preview:
    """A preview of rows held in memory, such as a failed check's sample rows.

    Args:
        rows: JSON-like dicts (as a ``checks_finished`` event carries them).
        path: What the rows are, for the summary line.
        row_count: How many rows there are in all (the check's failing rows); by
            default, as many as given.
    """
    import pyarrow as pa

    try:
        table = pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # A column of mixed types (JSON allows it): show every value as its text.
        names = list(dict.fromkeys(key for row in rows for key in row))
        table = pa.Table.from_pylist(
            [{n: None if row.get(n) is None else str(row[n]) for n in names} for row in rows]
        )
    return Preview(
        path=path,
        format=SAMPLE_FORMAT,
        row_count=len(rows) if row_count is None else row_count,
        schema=columns_of(table.schema),
        table=table,
    )

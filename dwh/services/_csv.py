"""What keeps :class:`~dwh.services.readers.CsvReader` from reading a CSV wrongly in silence.

Two ways a CSV read goes wrong without a sound, and what is done about each:

* **A header in another order than the schema.** Spark reads a CSV with a schema by
  position and, by default, only logs a ``WARN CSVHeaderChecker``: a file whose header
  is ``user_id,id`` read with ``id INT, user_id INT`` swaps the two columns. Local files
  have their header line checked here, before anything runs, and a mismatch fails in
  one line naming both orders (:func:`check_local_headers`). Other inputs (``s3://``,
  globs, compressed files) are read with Spark's ``enforceSchema=false``, which fails
  the read on a mismatch when it runs.
* **A malformed row** (a value that does not parse as its column's type, too few or
  too many fields). In ``FAILFAST`` mode the rows are read as Spark's ``PERMISSIVE``
  with a hidden column holding each malformed row's text, and a filter raises on the
  first one (:func:`fail_on_malformed`): the run fails naming the file, the line
  number (for a local file) and the line, where Spark's own FAILFAST names only the
  parsed values. :func:`as_csv_error` turns that Spark error into one
  :class:`~dwh.errors.CsvInputError` line.
"""

from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from dwh.errors import CsvInputError
from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from pyspark.sql import DataFrame

__all__ = [
    "MALFORMED_COLUMN",
    "MODES",
    "as_csv_error",
    "check_local_headers",
    "fail_on_malformed",
]

MODES = ("FAILFAST", "PERMISSIVE", "DROPMALFORMED")
"""The accepted values of ``CsvReader(mode=...)``."""

MALFORMED_COLUMN = "_dwh_malformed_row"
"""The hidden column a FAILFAST read keeps each malformed row's text in."""

_MARKER = "dwh-csv-malformed"
_COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".lz4", ".snappy", ".deflate", ".zip")
_SHOWN = 120  # characters of a malformed line shown in the error


def check_local_headers(
    path: str,
    columns: Sequence[str],
    *,
    delimiter: str,
    quote: str | None,
    escape: str | None,
    encoding: str | None,
) -> None:
    """Check the header line of each local CSV file at ``path`` against ``columns``.

    Names compare ignoring case, as Spark's own check does by default. A path that is
    not local, a glob, a compressed file or an encoding Python does not know is left
    to Spark's ``enforceSchema=false``.

    Raises:
        CsvInputError: A file's header names other columns, or the same in another order.
    """
    python_encoding = _python_encoding(encoding)
    if python_encoding is None:
        return
    for file in _local_files(path):
        header = _first_record(file, delimiter, quote, escape, python_encoding)
        if header is None:
            continue  # an empty file has no rows to misread
        if [h.strip().lower() for h in header] != [c.lower() for c in columns]:
            raise CsvInputError(
                f"CSV header of {file} does not match the schema's columns: the file has "
                f"{', '.join(header)}; the schema has {', '.join(columns)} (CsvReader reads "
                "by position, so columns would be swapped: give the schema in the file's order)"
            )


def fail_on_malformed(frame: DataFrame, encoding: str | None) -> DataFrame:
    """Return ``frame`` without its malformed-row column, failing on the first malformed row.

    ``frame`` was read in ``PERMISSIVE`` mode with ``columnNameOfCorruptRecord`` set to
    :data:`MALFORMED_COLUMN`. The check is a filter, so it runs in the same pass as
    whatever reads the frame, and no column pruning can drop it.
    """
    from pyspark.sql import functions as F

    bad = F.col(MALFORMED_COLUMN)
    message = F.concat_ws(
        "\t", F.lit(_MARKER), F.lit(encoding or "UTF-8"), F.col("_metadata.file_path"), bad
    )
    keep = F.when(bad.isNotNull(), F.raise_error(message)).otherwise(F.lit(True))
    return frame.where(keep).drop(MALFORMED_COLUMN)


def as_csv_error(exc: BaseException) -> CsvInputError | None:
    """Return the one-line error for a malformed row :func:`fail_on_malformed` hit, else None."""
    params: Any = getattr(exc, "getMessageParameters", lambda: None)()
    text = str((params or {}).get("errorMessage") or exc)
    found = re.search(rf"{_MARKER}\t([^\t]*)\t([^\t]*)\t(.*?)(?: SQLSTATE: \w+)?\s*$", text, re.S)
    if found is None:
        return None
    encoding, uri, record = found.groups()
    file = unquote(uri)
    local = local_path(file)
    line = _line_number(local, record, encoding) if local is not None else None
    where = f"{local if local is not None else file}" + (f" line {line:,}" if line else "")
    shown = record if len(record) <= _SHOWN else record[:_SHOWN] + "..."
    return CsvInputError(
        f"malformed CSV row in {where}: {shown!r} does not fit the schema (CsvReader "
        "mode='FAILFAST'; mode='PERMISSIVE' reads bad values as nulls, "
        "'DROPMALFORMED' drops such rows)"
    )


def _python_encoding(encoding: str | None) -> str | None:
    if encoding is None:
        return "utf-8-sig"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    return "utf-8-sig" if name == "utf-8" else name


def _local_files(path: str) -> Iterator[Path]:
    local = local_path(path)
    if local is None or any(c in path for c in "*?[{"):
        return
    if local.is_file():
        files = [local]
    elif local.is_dir():
        files = sorted(
            p
            for p in local.rglob("*")
            if p.is_file()
            and not any(part.startswith((".", "_")) for part in p.relative_to(local).parts)
        )
    else:
        return
    yield from (f for f in files if not f.name.lower().endswith(_COMPRESSED))


def _first_record(
    file: Path, delimiter: str, quote: str | None, escape: str | None, encoding: str
) -> list[str] | None:
    try:
        with file.open(encoding=encoding, newline="") as stream:
            rows = csv.reader(
                stream,
                delimiter=delimiter,
                quotechar=quote or '"',
                escapechar=escape or ("\\" if escape is None else None),
                quoting=csv.QUOTE_NONE if quote == "" else csv.QUOTE_MINIMAL,
            )
            return next(rows, None)
    except (UnicodeDecodeError, csv.Error):
        return None  # Spark's enforceSchema=false still checks it


def _line_number(file: Path, record: str, encoding: str) -> int | None:
    """The first line of ``file`` that reads as ``record``, or None (a multi-line row)."""
    python_encoding = _python_encoding(encoding)
    if python_encoding is None or not file.is_file():
        return None
    try:
        with file.open(encoding=python_encoding, errors="replace", newline="") as stream:
            for number, line in enumerate(stream, start=1):
                if line.rstrip("\r\n") == record:
                    return number
    except OSError:
        return None
    return None

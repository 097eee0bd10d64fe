"""Spark readers for files: parquet, CSV, JSON lines (parsed or as raw text).

Each reader keeps the path it last read in ``path``. Catalog tables are read by
:class:`dwh.services.tables.TableReader`. The catalogue, with options:
``docs/readers-and-loaders.md``.
"""

from __future__ import annotations

import codecs
import datetime as dt
from typing import TYPE_CHECKING

from dwh.errors import JobContractError, JobFailedError
from dwh.services._csv import MALFORMED_COLUMN, MODES, check_local_headers, fail_on_malformed
from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    from pathlib import Path

    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType


class ParquetReader:
    """Reads a parquet dataset (a file or a folder, partitioned or not).

    Args:
        spark: The session to read with.
    """

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self.path: str | None = None

    def read(self, path: str) -> DataFrame:
        """Return the dataset at ``path``."""
        self.path = path
        return self.spark.read.parquet(path)


class CsvReader:
    """Reads CSV files (a file, a folder or a glob), never swapping columns in silence.

    With a header and a schema, the header must name the schema's columns in the same
    order (ignoring case): Spark reads by position, so a file whose header is
    ``user_id,id`` read with ``id INT, user_id INT`` would swap them. A local file's
    header is checked before anything runs; other inputs with Spark's
    ``enforceSchema=false`` when they are read. Either way a mismatch fails the run in
    one line naming both orders (:class:`~dwh.errors.CsvInputError`).

    Args:
        spark: The session to read with.
        header: The first line holds the column names.
        delimiter: The field separator, one character.
        schema: The columns (a DDL string or StructType), in the file's order; decimals
            as ``DECIMAL(p,s)``. Default: every column a string, named from the header;
            nothing is inferred, so a read costs one pass.
        mode: What a malformed row (a value that does not parse as its type, too few
            or too many fields) does: ``FAILFAST`` fails the run naming the file, the
            line number (local files) and the line; ``PERMISSIVE`` reads its bad values
            as nulls; ``DROPMALFORMED`` drops it. Only values of the columns the job
            uses are parsed, so only those can be malformed.
        null_value: The text that reads as null (Spark's default: the empty string).
        date_format: The pattern of ``DATE`` columns (Spark's datetime patterns,
            e.g. ``dd/MM/yyyy``); default ISO ``yyyy-MM-dd``.
        timestamp_format: The pattern of ``TIMESTAMP`` columns; default ISO 8601.
        quote: The quote character (default ``"``); ``""`` turns quoting off.
        escape: The character escaping a quote inside a quoted value (default ``\\``).
        encoding: The files' character set (default UTF-8), e.g. ``ISO-8859-1``.

    Raises:
        JobContractError: An option is out of range (named, with the accepted values).
    """

    def __init__(
        self,
        spark: SparkSession,
        *,
        header: bool = True,
        delimiter: str = ",",
        schema: StructType | str | None = None,
        mode: str = "FAILFAST",
        null_value: str | None = None,
        date_format: str | None = None,
        timestamp_format: str | None = None,
        quote: str | None = None,
        escape: str | None = None,
        encoding: str | None = None,
    ) -> None:
        if len(delimiter) != 1:
            raise JobContractError(f"CsvReader delimiter must be one character, got {delimiter!r}")
        if mode.upper() not in MODES:
            raise JobContractError(
                f"CsvReader mode must be one of {', '.join(MODES)}, got {mode!r}"
            )
        for name, value in (("quote", quote), ("escape", escape)):
            if value is not None and len(value) > 1:
                raise JobContractError(
                    f"CsvReader {name} must be one character (or empty), got {value!r}"
                )
        if encoding is not None and not encoding.strip():
            raise JobContractError("CsvReader encoding must be a character set name, got ''")
        self.spark = spark
        self.header = header
        self.delimiter = delimiter
        self.schema = schema
        self.mode = mode.upper()
        self.null_value = null_value
        self.date_format = date_format
        self.timestamp_format = timestamp_format
        self.quote = quote
        self.escape = escape
        self.encoding = encoding
        self.path: str | None = None

    def options(self) -> dict[str, str]:
        """The Spark CSV options of this reader (those left unset keep Spark's defaults)."""
        given = {
            "header": str(self.header).lower(),
            "sep": self.delimiter,
            "mode": self.mode,
            "nullValue": self.null_value,
            "dateFormat": self.date_format,
            "timestampFormat": self.timestamp_format,
            "quote": self.quote,
            "escape": self.escape,
            "encoding": self.encoding,
        }
        if self.header and self.schema is not None:
            given["enforceSchema"] = "false"  # Spark checks the header too, when it reads
        return {key: value for key, value in given.items() if value is not None}

    def read(self, path: str) -> DataFrame:
        """Return the rows of the CSV file(s) at ``path``.

        Raises:
            CsvInputError: A local file's header does not match the schema.
        """
        self.path = path
        options = self.options()
        if self.schema is None:
            return self.spark.read.options(**options).csv(path)
        frame = self.spark.read.options(**options).schema(self.schema).csv(path)
        columns = frame.columns
        if self.header:
            check_local_headers(
                path,
                columns,
                delimiter=self.delimiter,
                quote=self.quote,
                escape=self.escape,
                encoding=self.encoding,
            )
        if self.mode != "FAILFAST":
            return frame
        from pyspark.sql.types import StringType, StructField, StructType

        # PERMISSIVE with the malformed row's text kept, so the error can name the line.
        schema = StructType([*frame.schema.fields, StructField(MALFORMED_COLUMN, StringType())])
        options.update(mode="PERMISSIVE", columnNameOfCorruptRecord=MALFORMED_COLUMN)
        permissive = self.spark.read.options(**options).schema(schema).csv(path)
        return fail_on_malformed(permissive, self.encoding)


class JsonReader:
    """Reads JSON lines parsed into columns: one object per line.

    Use :class:`JsonLinesReader` instead when malformed lines must be kept and
    rejected with a reason; here Spark parses them (a malformed line becomes a row of
    nulls unless ``schema`` has a ``_corrupt_record`` column).

    Args:
        spark: The session to read with.
        schema: The columns (a DDL string or StructType). Default: inferred, which
            reads the input once more.
    """

    def __init__(self, spark: SparkSession, *, schema: StructType | str | None = None) -> None:
        self.spark = spark
        self.schema = schema
        self.path: str | None = None

    def read(self, path: str) -> DataFrame:
        """Return one row per JSON line at ``path``."""
        self.path = path
        reader = self.spark.read
        if self.schema is not None:
            reader = reader.schema(self.schema)
        return reader.json(path)


MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest raw line :class:`JsonLinesReader` accepts (16 MiB)."""


class JsonLinesReader:
    """Reads JSON lines as raw text, one row per line in a ``value`` column.

    Raw text rather than ``spark.read.json`` keeps every line, malformed ones
    included, so a job can reject them with a reason instead of losing them.

    A local input is checked first, in one streaming pass, so that input which is not
    JSON lines at all fails the run before anything is written: no file or only empty
    files, bytes that are not UTF-8 (binary data), or a line longer than
    ``max_line_bytes``. Remote inputs (``s3://``...) are read as they are.

    Args:
        spark: The session to read with.
        max_line_bytes: The longest line accepted.
    """

    def __init__(self, spark: SparkSession, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.spark = spark
        self.max_line_bytes = max_line_bytes
        self.path: str | None = None

    def read(self, path: str) -> DataFrame:
        """Return one row per line of the file, or of every file in the folder.

        Raises:
            JobFailedError: The local input is missing, empty, not UTF-8, or has a
                line over the limit.
        """
        self.path = path
        local = local_path(path)
        if local is not None and not any(c in path for c in "*?[{"):  # globs go to Spark
            check_text_input(local, self.max_line_bytes)
        return self.spark.read.text(path)


def check_text_input(path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> None:
    """Refuse a local text input that is missing, empty, not UTF-8, or has a huge line.

    Raises:
        JobFailedError: Naming the file and the problem.
    """
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
        )
    elif path.is_file():
        files = [path]
    else:
        raise JobFailedError(f"raw input {path} does not exist")
    if not any(f.stat().st_size for f in files):
        raise JobFailedError(f"raw input {path} is empty: no lines to read")
    for file in files:
        _check_file(file, max_line_bytes)


def _check_file(file: Path, max_line_bytes: int) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = line_bytes = line_no = 0
    with file.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise JobFailedError(
                    f"raw input {file} is not UTF-8 text (binary data?): "
                    f"invalid byte at offset {offset + max(exc.start, 0):,}"
                ) from None
            start = 0
            while (newline := chunk.find(b"\n", start)) != -1:
                line_bytes += newline - start
                line_no += 1
                _check_line(file, line_no, line_bytes, max_line_bytes)
                line_bytes, start = 0, newline + 1
            line_bytes += len(chunk) - start
            _check_line(file, line_no + 1, line_bytes, max_line_bytes)
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise JobFailedError(f"raw input {file} is not UTF-8 text: it ends mid-character") from None


def _check_line(file: Path, line_no: int, size: int, limit: int) -> None:
    if size > limit:
        raise JobFailedError(
            f"raw input {file} line {line_no:,} is longer than the limit of {limit:,} bytes"
        )


class DatePartitionedReader:
    """Reads a parquet dataset partitioned by integer ``year``, ``month`` and ``day``.

    Only the partitions in the requested window are listed and read: the filter uses
    the partition columns alone, so Spark prunes partitions before touching files.

    Args:
        spark: The session to read with.
        schema: The columns to read (a DDL string or StructType), partition columns
            included. Given, Spark reads no file footers to infer it, and files outside
            the window are never opened. Default: inferred.
    """

    def __init__(self, spark: SparkSession, schema: StructType | str | None = None) -> None:
        self.spark = spark
        self.schema = schema
        self.path: str | None = None

    def read_window(
        self, base_path: str, *, start: dt.date | None, end: dt.date
    ) -> DataFrame | None:
        """Return the rows dated in ``[start, end)`` (all before ``end`` when start is None).

        Returns:
            The rows, or None when ``base_path`` holds no data yet.
        """
        from pyspark.errors import AnalysisException
        from pyspark.sql import functions as F

        self.path = base_path
        local = local_path(base_path)
        if local is not None and not local.exists():
            return None  # nothing written yet; asking Spark would log a stack trace
        try:
            reader = self.spark.read
            if self.schema is not None:
                reader = reader.schema(self.schema)
            frame = reader.parquet(base_path)
        except AnalysisException as exc:
            if "PATH_NOT_FOUND" in str(exc) or "UNABLE_TO_INFER_SCHEMA" in str(exc):
                return None
            raise
        day = F.make_date(F.col("year"), F.col("month"), F.col("day"))
        condition = day < F.lit(end)
        if start is not None:
            condition = condition & (day >= F.lit(start))
        return frame.where(condition)

"""Spark loaders for files: parquet, CSV and JSON lines, each replacing what was there whole.

A load writes the whole dataset to a hidden staging folder beside the target and only
then swaps it in (:mod:`dwh.services.atomic_commit`). Readers see the old version or the
new one, never a mix, never a half; a load that fails or is killed leaves the old
version intact. Spark's ``mode("overwrite")`` would delete the old files first.

Local paths get the atomic swap. Other file systems (``s3://``, ``hdfs://``) are
committed with the Hadoop FileSystem API in two renames: that is as good as the store
allows, and on object stores, where a rename is a copy, it is not atomic; use a table
format there. Catalog tables are written by :class:`dwh.services.tables.TableLoader`.

Each loader keeps the path it last wrote in ``path``, and the number of rows it wrote
in ``rows``, which ``load`` also returns: counted by the write itself
(``DataFrame.observe``), so a job needs no ``count()``, which would be one more Spark
job. The catalogue, with options: ``docs/readers-and-loaders.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.errors import JobContractError
from dwh.services import atomic_commit
from dwh.services.publication import StagedOutput, current_publication

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

log = logging.getLogger(__name__)


class AtomicFolderLoader:
    """Writes a dataset folder whole or not at all: stage it, then swap it in.

    Subclass and override :meth:`write` to choose how the staged copy is written
    (:class:`ParquetLoader`, :class:`CsvLoader` and :class:`JsonLinesLoader` do);
    the staging and the commit stay the same.

    Args:
        partition_by: Columns to partition the output by.
    """

    def __init__(self, partition_by: Sequence[str] = ()) -> None:
        self.partition_by = list(partition_by)
        self.path: str | None = None
        self.rows: int | None = None

    def load(self, frame: DataFrame, path: str) -> int | None:
        """Write ``frame`` to a staging folder, then swap it in at ``path``.

        On any error (or interrupt) the staging folder is deleted and ``path`` is as
        it was. Inside a run the swap waits: the staged copy is handed to the run's
        publication (:mod:`dwh.services.publication`), audited, and swapped in with the
        run's other outputs, or removed.

        Returns:
            The number of rows written (also kept in ``rows``), counted by the write.
        """
        self.path = path
        self.rows = None
        target = atomic_commit.local_path(path)
        if target is not None:
            # This process's working directory, not a Spark Connect server's.
            target = target.absolute()
        if target is None:
            self._load_remote(frame, path)
            return self.rows
        keep = atomic_commit.keep_versions()  # a bad setting fails before any write
        atomic_commit.recover(target)
        staged = atomic_commit.stage_path(target)
        try:
            self._write_counted(frame, str(staged))
        except BaseException:
            atomic_commit.discard(staged)
            raise
        self._hand_over(
            frame,
            path,
            staged=str(staged),
            commit=lambda: atomic_commit.commit(staged, target, keep=keep),
            discard=lambda: atomic_commit.discard(staged),
        )
        return self.rows

    def _write_counted(self, frame: DataFrame, path: str) -> None:
        """:meth:`write`, counting the rows as they are written (no extra Spark job).

        A frame that is not a Spark DataFrame (a subclass's own data, in tests) is
        written as it is, and counted when it has a length.
        """
        if not hasattr(frame, "observe"):
            self.write(frame, path)
            self.rows = len(frame) if isinstance(frame, Sized) else None
            return
        from pyspark.sql import Observation
        from pyspark.sql import functions as F

        observation = Observation()
        self.write(frame.observe(observation, F.count(F.lit(1)).alias("rows")), path)
        self.rows = int(observation.get["rows"])

    read_format: str | None = None
    """The Spark source that reads back what :meth:`write` wrote (``parquet``...), to
    audit the staged copy; a subclass that writes another format sets it."""

    def read_options(self) -> dict[str, str]:
        """Options for reading the staged copy back (a CSV's header and separator)."""
        return {}

    def read_staged(self, frame: DataFrame, staged: str) -> DataFrame:
        """Read the staged copy of ``frame`` back, to audit it.

        A local staging folder is read by its data files, named one by one (Spark warns
        about a hidden folder given as a path, and reads it all the same); text formats
        get ``frame``'s schema, so the audit sees the types that were written.

        Raises:
            JobContractError: The loader does not say how to read its format back.
        """
        if self.read_format is None:
            raise JobContractError(
                f"{type(self).__name__} has output checks but no read_format: set it to "
                "the Spark source that reads back what write() wrote"
            )
        reader = frame.sparkSession.read.format(self.read_format).options(**self.read_options())
        if self.read_format != "parquet":
            reader = reader.schema(frame.schema)
        local = atomic_commit.local_path(staged)
        if local is None:
            return reader.load(staged)
        files = sorted(str(p) for p in local.rglob("part-*") if p.is_file())
        if not files:  # nothing was written: an empty output of the same columns
            return frame.sparkSession.createDataFrame([], frame.schema)
        return reader.option("basePath", str(local)).load(files)

    def _hand_over(
        self,
        frame: DataFrame,
        path: str,
        *,
        staged: str,
        commit: Any,
        discard: Any,
    ) -> None:
        """Give the staged copy to the run's publication, or commit it now outside a run."""
        publication = current_publication()
        if publication is None:
            try:
                commit()
            except BaseException:
                discard()
                raise
            return
        publication.stage(
            StagedOutput(
                target=path,
                read=lambda: self.read_staged(frame, staged),
                commit=commit,
                discard=discard,
                staged=staged,
            )
        )

    def write(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` to the (new) staging folder ``path``."""
        raise NotImplementedError(f"{type(self).__name__} must implement write()")

    def writer(self, frame: DataFrame) -> Any:
        """Return ``frame.write`` for a new folder, partitioned as asked."""
        # "error" rather than its alias "errorifexists": Spark Connect knows only "error".
        writer = frame.write.mode("error")
        if self.partition_by:
            writer = writer.partitionBy(*self.partition_by)
        return writer

    def _load_remote(self, frame: DataFrame, path: str) -> None:
        self._stage_remote(frame, path, _swap_folder)

    def _stage_remote(self, frame: DataFrame, path: str, swap: Any) -> None:
        """Stage and rename with the Hadoop FileSystem API (not atomic on object stores)."""
        jvm: Any = getattr(frame.sparkSession, "_jvm", None)  # None over Spark Connect
        if jvm is None:
            raise NotImplementedError(
                f"cannot commit {path} over Spark Connect: a non-local path is committed "
                "with the Hadoop FileSystem API, which Connect does not expose; "
                "use a local path or a classic Spark session"
            )
        parent, _, name = path.rstrip("/").rpartition("/")
        token = atomic_commit.stage_path(Path(name)).name
        staged, backup = f"{parent}/{token}", f"{parent}/{token}.old"
        hadoop_path = jvm.org.apache.hadoop.fs.Path
        fs = hadoop_path(path).getFileSystem(frame.sparkSession._jsc.hadoopConfiguration())
        try:
            self._write_counted(frame, staged)
        except BaseException:
            fs.delete(hadoop_path(staged), True)
            raise
        self._hand_over(
            frame,
            path,
            staged=staged,
            commit=lambda: swap(fs, hadoop_path, staged, path, backup),
            discard=lambda: fs.delete(hadoop_path(staged), True),
        )


def _swap_folder(fs: Any, hadoop_path: Any, staged: str, path: str, backup: str) -> None:
    """Move ``staged`` to ``path`` in two renames, the old version aside in between."""
    had_target = fs.exists(hadoop_path(path))
    if had_target and not fs.rename(hadoop_path(path), hadoop_path(backup)):
        raise OSError(f"could not move {path} aside")
    if not fs.rename(hadoop_path(staged), hadoop_path(path)):
        if had_target:
            fs.rename(hadoop_path(backup), hadoop_path(path))
        raise OSError(f"could not move the new version into {path}")
    if had_target:
        fs.delete(hadoop_path(backup), True)


def _swap_single_file(fs: Any, hadoop_path: Any, staged: str, path: str, backup: str) -> None:
    """Move the one part file of ``staged`` to ``path`` (delete, then rename: not atomic)."""
    parts = [
        status.getPath()
        for status in fs.listStatus(hadoop_path(staged))
        if status.getPath().getName().startswith("part-")
    ]
    if len(parts) != 1:
        raise OSError(f"expected one part file in {staged}, found {len(parts)}")
    fs.delete(hadoop_path(path), False)
    if not fs.rename(parts[0], hadoop_path(path)):
        raise OSError(f"could not move the new file into {path}")
    fs.delete(hadoop_path(staged), True)


class ParquetLoader(AtomicFolderLoader):
    """Writes a DataFrame as parquet, atomically replacing what is at the path.

    Args:
        partition_by: Columns to partition the output by.
    """

    read_format = "parquet"

    def write(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` as parquet to the (new) staging folder ``path``."""
        self.writer(frame).parquet(path)


class JsonLinesLoader(AtomicFolderLoader):
    """Writes a DataFrame as JSON lines (one object per row), atomically replacing the folder.

    Args:
        partition_by: Columns to partition the output by.
    """

    read_format = "json"

    def write(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` as JSON lines to the (new) staging folder ``path``."""
        self.writer(frame).json(path)


class CsvLoader(AtomicFolderLoader):
    """Writes a DataFrame as CSV: a folder of part files, or one file.

    A folder is replaced whole, as every loader here does. With ``single_file`` the
    rows are gathered into one task and ``path`` becomes one CSV file: locally it is
    staged and renamed over the old file, which is atomic; on other file systems the
    old file is deleted and the new one renamed in, which is not.

    Args:
        header: Write a first line with the column names.
        delimiter: The field separator, one character.
        single_file: Write one file at ``path`` instead of a folder (the whole output
            passes through one task: meant for reports, not for big data).
        partition_by: Columns to partition the output folder by (not with
            ``single_file``).

    Raises:
        JobContractError: ``delimiter`` is not one character, or ``single_file`` is
            combined with ``partition_by``.
    """

    def __init__(
        self,
        *,
        header: bool = True,
        delimiter: str = ",",
        single_file: bool = False,
        partition_by: Sequence[str] = (),
    ) -> None:
        super().__init__(partition_by)
        if len(delimiter) != 1:
            raise JobContractError(f"CsvLoader delimiter must be one character, got {delimiter!r}")
        if single_file and self.partition_by:
            raise JobContractError(
                "CsvLoader: single_file=True writes one file and cannot be partitioned; "
                "drop partition_by or single_file"
            )
        self.header = header
        self.delimiter = delimiter
        self.single_file = single_file

    read_format = "csv"

    def read_options(self) -> dict[str, str]:
        """The header and separator it was written with."""
        return {"header": str(self.header).lower(), "sep": self.delimiter}

    def write(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` as CSV to the (new) staging folder ``path``."""
        if self.single_file:
            frame = frame.coalesce(1)
        writer = self.writer(frame).option("header", self.header).option("sep", self.delimiter)
        writer.csv(path)

    def load(self, frame: DataFrame, path: str) -> int | None:
        """Replace the folder at ``path``, or with ``single_file`` the file at ``path``.

        Returns:
            The number of rows written (also kept in ``rows``).
        """
        if not self.single_file:
            return super().load(frame, path)
        self.path = path
        self.rows = None
        target = atomic_commit.local_path(path)
        if target is not None:
            # This process's working directory, not a Spark Connect server's.
            target = target.absolute()
        if target is None:
            self._stage_remote(frame, path, _swap_single_file)
            return self.rows
        keep = atomic_commit.keep_versions()  # a bad setting fails before any write
        atomic_commit.recover(target)
        staged = atomic_commit.stage_path(target)
        try:
            self._write_counted(frame, str(staged))
            parts = sorted(staged.glob("part-*"))
            if len(parts) != 1:
                raise OSError(f"expected one part file in {staged}, found {len(parts)}")
        except BaseException:
            atomic_commit.discard(staged)
            raise

        def commit() -> None:
            atomic_commit.commit_file(parts[0], target, keep=keep)  # atomic for a file
            atomic_commit.discard(staged)

        self._hand_over(
            frame,
            path,
            staged=str(staged),
            commit=commit,
            discard=lambda: atomic_commit.discard(staged),
        )
        return self.rows

"""Spark loaders: write a DataFrame as parquet, atomically replacing what was there.

A load writes the whole dataset to a hidden staging folder beside the target and only
then swaps it in (:mod:`dwh.services.atomic_commit`). Readers see the old version or the
new one, never a mix, never a half; a load that fails or is killed leaves the old
version intact. Spark's ``mode("overwrite")`` would delete the old files first.

Local paths get the atomic swap. Other file systems (``s3://``, ``hdfs://``) are
committed with the Hadoop FileSystem API in two renames: that is as good as the store
allows, and on object stores, where a rename is a copy, it is not atomic; use a table
format there.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.services import atomic_commit

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

log = logging.getLogger(__name__)


class ParquetLoader:
    """Writes a DataFrame as parquet, atomically replacing what is at the path.

    Subclass and override :meth:`write` to change how the staged copy is written;
    the staging and the commit stay the same.

    Args:
        partition_by: Columns to partition the output by.
    """

    def __init__(self, partition_by: Sequence[str] = ()) -> None:
        self.partition_by = list(partition_by)

    def load(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` to a staging folder, then swap it in at ``path``.

        On any error (or interrupt) the staging folder is deleted and ``path`` is as
        it was.
        """
        target = atomic_commit.local_path(path)
        if target is None:
            self._load_remote(frame, path)
            return
        atomic_commit.recover(target)
        staged = atomic_commit.stage_path(target)
        try:
            self.write(frame, str(staged))
            atomic_commit.commit(staged, target)
        except BaseException:
            atomic_commit.discard(staged)
            raise

    def write(self, frame: DataFrame, path: str) -> None:
        """Write ``frame`` as parquet to the (new) staging folder ``path``."""
        # "error" rather than its alias "errorifexists": Spark Connect knows only "error".
        writer = frame.write.mode("error")
        if self.partition_by:
            writer = writer.partitionBy(*self.partition_by)
        writer.parquet(path)

    def _load_remote(self, frame: DataFrame, path: str) -> None:
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
            self.write(frame, staged)
            had_target = fs.exists(hadoop_path(path))
            if had_target and not fs.rename(hadoop_path(path), hadoop_path(backup)):
                raise OSError(f"could not move {path} aside")
            if not fs.rename(hadoop_path(staged), hadoop_path(path)):
                if had_target:
                    fs.rename(hadoop_path(backup), hadoop_path(path))
                raise OSError(f"could not move the new version into {path}")
            if had_target:
                fs.delete(hadoop_path(backup), True)
        except BaseException:
            fs.delete(hadoop_path(staged), True)
            raise

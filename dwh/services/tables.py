"""Catalog tables: read a table, and write, overwrite or append to it through Spark's catalog.

The code names a table (``db.events``, or ``catalog.db.events`` on Unity Catalog) and
never a metastore: the session's catalog resolves it. Locally that is Spark's embedded
Hive catalog, with a Derby metastore and the warehouse under ``$DWH_HOME/catalog``
(:func:`dwh.spark.conf.local_catalog_settings`; a factory opts in with
``uses_catalog = True``). In
production the platform's session brings its catalog and the same code runs unchanged:

- AWS Glue: the Glue Data Catalog (job parameter ``--enable-glue-datacatalog``);
- EMR or a Spark cluster with Hive: the Hive metastore (``hive-site.xml``);
- Databricks: Unity Catalog (three-part names).

Writes go through Spark's own commit protocol (``insertInto``, which is
``INSERT OVERWRITE ... PARTITION`` or ``INSERT INTO``); nothing here stages or renames.
What that protocol promises, and what this module therefore promises:

- A write that fails before Spark commits leaves the table as it was: the new files
  sit in a staging folder (``.spark-staging-*`` or ``_temporary``) that is dropped.
- ``overwrite_partitions`` replaces exactly the partitions present in the frame; the
  others are untouched. The commit replaces partition folders one by one, so a process
  killed *inside* the commit can leave a partition missing: each partition is
  whole-or-nothing only up to that moment, and several partitions are not replaced as
  one. On S3 the commit is as atomic as the committer configured for the platform.
- ``append`` adds files; a killed commit can leave some of them in place.

Use a table format with transactions (Delta, Iceberg) where the platform has one and
a crash inside a commit must never show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, get_args

from dwh.errors import JobContractError, JobFailedError
from dwh.services.publication import StagedOutput, current_publication

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

WriteMode = Literal["overwrite_partitions", "overwrite", "append"]
"""How :class:`TableLoader` writes into an existing table."""


class TableReader:
    """Reads a catalog table, optionally only some rows (a partition filter prunes).

    Args:
        spark: The session to read with; its catalog resolves the name.
        where: A SQL condition, e.g. ``"day = '2026-11-24'"``. Default: every row.
    """

    def __init__(self, spark: SparkSession, *, where: str | None = None) -> None:
        self.spark = spark
        self.where = where
        self.table: str | None = None

    def read(self, table: str) -> DataFrame:
        """Return the rows of ``table`` (``db.name``)."""
        self.table = table
        frame = self.spark.table(table)
        return frame if self.where is None else frame.where(self.where)


class TableLoader:
    """Writes a DataFrame into a catalog table through Spark's commit protocol.

    A missing table is created from the frame (``format``, partitioned by
    ``partition_by``) unless ``create`` is false. An existing table is written with
    ``insertInto``, columns matched by name, in ``mode``:

    - ``overwrite_partitions`` (default): replace the partitions present in the frame
      (``INSERT OVERWRITE ... PARTITION`` with dynamic partitions); keep the others.
    - ``overwrite``: replace the whole table.
    - ``append``: add the rows.

    See the module docstring for what survives a crash.

    Args:
        mode: How to write into an existing table.
        partition_by: Partition columns of a table created here.
        format: File format of a table created here.
        create: Create a missing table; when false a missing table fails the run.

    Raises:
        JobContractError: ``mode`` is not one of the three.
    """

    def __init__(
        self,
        *,
        mode: WriteMode = "overwrite_partitions",
        partition_by: Sequence[str] = (),
        format: str = "parquet",
        create: bool = True,
    ) -> None:
        if mode not in get_args(WriteMode):
            raise JobContractError(
                f"TableLoader mode must be one of {', '.join(get_args(WriteMode))}, got {mode!r}"
            )
        self.mode: WriteMode = mode
        self.partition_by = list(partition_by)
        self.format = format
        self.create = create
        self.table: str | None = None

    def load(self, frame: DataFrame, table: str) -> None:
        """Write ``frame`` into ``table`` (``db.name``).

        Inside a run the insert waits for the audit: the run's checks are computed on
        ``frame`` itself (there is no staged copy of a catalog write), and the insert
        runs only if they pass (:mod:`dwh.services.publication`).

        Raises:
            JobFailedError: The table is missing and ``create`` is false, or the frame
                lacks some of the table's columns.
        """
        self.table = table
        publication = current_publication()
        if publication is None:
            self._insert(frame, table)
            return
        publication.stage(
            StagedOutput(
                target=table,
                read=lambda: frame,
                commit=lambda: self._insert(frame, table),
                discard=lambda: None,
            )
        )

    def _insert(self, frame: DataFrame, table: str) -> None:
        spark = frame.sparkSession
        if not spark.catalog.tableExists(table):
            if not self.create:
                raise JobFailedError(f"table {table} does not exist (TableLoader create=False)")
            writer = frame.write.format(self.format).mode("error")
            if self.partition_by:
                writer = writer.partitionBy(*self.partition_by)
            writer.saveAsTable(table)
            return
        columns = spark.table(table).columns
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise JobFailedError(
                f"cannot write table {table}: the frame lacks {', '.join(missing)}"
            )
        writer = frame.select(*columns).write  # insertInto matches by position
        # The session setting, not a write option: insertInto ignores the option.
        key = "spark.sql.sources.partitionOverwriteMode"
        previous = spark.conf.get(key) or "static"
        spark.conf.set(key, "dynamic" if self.mode == "overwrite_partitions" else "static")
        try:
            writer.insertInto(table, overwrite=self.mode != "append")
        finally:
            spark.conf.set(key, previous)

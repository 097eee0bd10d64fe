"""Writes numbered rows to a Parquet folder with pyarrow (a TUI preview test job, no Spark)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class WriterConfig(JobConfig):
    """Where to write and how many rows."""

    output_path: str = Field(description="The folder to write part files into.")
    rows: int = Field(30, ge=1, description="How many rows to write.")


class WriterJob(AbstractJob):
    """Writes ``rows`` rows as two part files and a ``_SUCCESS`` marker."""

    def execute_job(self, output_path: str, rows: int, **_: Any) -> Metrics:
        import pyarrow as pa
        import pyarrow.parquet as pq

        with self.phase("load") as phase:
            folder = Path(output_path)
            folder.mkdir(parents=True, exist_ok=True)
            table = pa.table({"n": list(range(rows)), "label": [f"row {i}" for i in range(rows)]})
            half = rows // 2
            pq.write_table(table.slice(0, half), folder / "part-00000.parquet")
            pq.write_table(table.slice(half), folder / "part-00001.parquet")
            (folder / "_SUCCESS").touch()
            phase.rows = rows
        self.record_output("output_path", output_path)
        return {"rows": rows}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up."""


class WriterJobFactory(AbstractJobFactory[WriterConfig]):
    """Builds the writer job."""

    job_name = "writer"
    config_model = WriterConfig
    needs_spark = False

    def create_job(self, **kwargs: Any) -> WriterJob:
        self.parse_job_config(**kwargs)
        return WriterJob(**self.job_services())


def main(**kwargs: Any) -> Any:
    return WriterJobFactory(**kwargs).run(**kwargs)

"""Writes ``rows`` numbered rows to Parquet with Spark, and says which kind of session ran it.

The form's warm tests run it in the kernel's classic session and on the warm Spark
Connect server, in one process, in both orders: ``session`` in its metrics is the module
of the session class it got (``pyspark.sql.connect.session`` on the server).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class SparkRowsConfig(JobConfig):
    """Where to write and how many rows."""

    output_path: str = Field(description="The Parquet folder to write.")
    rows: int = Field(5, ge=1, description="How many rows to write.")


class SparkRowsJob(AbstractJob):
    """Writes ``id`` and ``double`` (built with ``pyspark.sql.functions``) for each row."""

    def __init__(self, spark: Any, **services: Any) -> None:
        super().__init__(**services)
        self.spark = spark

    def execute_job(self, output_path: str, rows: int) -> Metrics:
        from pyspark.sql import functions as F

        with self.phase("load") as phase:
            frame = self.spark.range(0, rows, 1, 1).withColumn("double", F.col("id") * 2)
            frame.write.mode("overwrite").parquet(output_path)
            phase.rows = rows
        self.record_output("output_path", output_path)
        return {"rows": rows, "session": type(self.spark).__module__}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up."""


class SparkRowsJobFactory(AbstractJobFactory[SparkRowsConfig]):
    """Builds the job with the run's Spark session (the kernel's, or a Connect one)."""

    job_name = "sparkrows"
    config_model = SparkRowsConfig

    def create_job(self, **kwargs: Any) -> SparkRowsJob:
        self.parse_job_config(**kwargs)
        return SparkRowsJob(self.get_spark_session(), **self.job_services())


def main(**kwargs: Any) -> Any:
    """Run the sparkrows job."""
    return SparkRowsJobFactory(**kwargs).run(**kwargs)

"""Hashes a range of numbers in Spark: a stage long enough to report progress (a test job).

It runs in the JVM only (no Python UDF), on a warm or a cold session alike, and says
which in its ``session`` metric.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class CrunchConfig(JobConfig):
    """How much to crunch."""

    rows: int = Field(3_000_000, ge=1, description="How many numbers to hash.")
    partitions: int = Field(8, ge=1, description="How many tasks the stage has.")


class CrunchJob(AbstractJob):
    """Counts distinct hash prefixes of a range."""

    def __init__(self, spark: Any, **services: Any) -> None:
        super().__init__(**services)
        self.spark = spark

    def execute_job(self, rows: int, partitions: int, **_: Any) -> Metrics:
        with self.phase("crunch") as phase:
            frame = self.spark.range(0, rows, 1, partitions).selectExpr(
                "substr(sha2(cast(id as string), 256), 1, 3) as prefix"
            )
            phase.rows = prefixes = frame.distinct().count()
        # Which session ran it: "connect" on the warm server, "classic" cold.
        session = "connect" if ".connect." in type(self.spark).__module__ else "classic"
        return {"prefixes": prefixes, "session": session}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up."""


class CrunchJobFactory(AbstractJobFactory[CrunchConfig]):
    """Builds the crunch job on the session the run asks for (warm or cold)."""

    job_name = "crunch"
    config_model = CrunchConfig

    def create_job(self, **kwargs: Any) -> CrunchJob:
        self.parse_job_config(**kwargs)
        return CrunchJob(self.get_spark_session(), **self.job_services())


def main(**kwargs: Any) -> Any:
    return CrunchJobFactory(**kwargs).run(**kwargs)

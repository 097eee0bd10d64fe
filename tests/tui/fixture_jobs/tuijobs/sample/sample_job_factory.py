"""Copies a sample of rows from a source to an output (a TUI test job, no Spark).

It has required and optional fields, an enum and a secret, so the schema table and
the editor have something to show.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class SampleConfig(JobConfig):
    """What to sample."""

    source_path: str = Field(description="Where the rows come from.")
    limit: int = Field(100, ge=1, description="How many rows to keep.")
    mode: Literal["append", "overwrite"] = Field("append", description="How to write.")
    api_token: str | None = Field(None, description="Token for the source, if it needs one.")


class SampleJob(AbstractJob):
    """Pretends to sample rows."""

    def execute_job(self, limit: int, **_: Any) -> Metrics:
        with self.phase("extract") as phase:
            phase.rows = limit
        return {"rows": limit}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up."""


class SampleJobFactory(AbstractJobFactory[SampleConfig]):
    """Builds the sample job."""

    job_name = "sample"
    config_model = SampleConfig
    needs_spark = False

    def create_job(self, **kwargs: Any) -> SampleJob:
        self.parse_job_config(**kwargs)
        return SampleJob(**self.job_services())


def main(**kwargs: Any) -> Any:
    return SampleJobFactory(**kwargs).run(**kwargs)

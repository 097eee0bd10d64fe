"""A job without Spark that prints to stdout and stderr, its password too (a launcher test job)."""

from __future__ import annotations

import sys
from typing import Any

from dwh.config import JobConfig
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class ChattyConfig(JobConfig):
    """How many lines to print, and a secret the job carelessly prints."""

    lines: int = 3
    db_password: str = "s3cr3t-pw"


class ChattyJob(AbstractJob):
    """Prints ``lines`` numbered lines to stderr and one to stdout, each with the password."""

    def execute_job(self, lines: int, db_password: str, **_: Any) -> Metrics:
        print(f"stdout says hello, password={db_password}", flush=True)
        for number in range(lines):
            print(f"chatty line {number} password={db_password}", file=sys.stderr, flush=True)
        return {"lines": lines}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up."""


class ChattyJobFactory(AbstractJobFactory[ChattyConfig]):
    """Builds the chatty job."""

    job_name = "chatty"
    config_model = ChattyConfig
    needs_spark = False

    def create_job(self, **kwargs: Any) -> ChattyJob:
        self.parse_job_config(**kwargs)
        return ChattyJob(**self.job_services())


def main(**kwargs: Any) -> Any:
    return ChattyJobFactory(**kwargs).run(**kwargs)

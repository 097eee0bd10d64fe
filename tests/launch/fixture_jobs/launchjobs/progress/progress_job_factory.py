"""A job without Spark that reports Spark-like progress (a launcher test job)."""

from __future__ import annotations

from typing import Any

from dwh.config import JobConfig
from dwh.events import EventName
from dwh.jobs.abstract_job import AbstractJob, Metrics
from dwh.jobs.abstract_job_factory import AbstractJobFactory


class ProgressConfig(JobConfig):
    """How many tasks the one stage has."""

    tasks: int = 4


class ProgressJob(AbstractJob):
    """Publishes ``spark_progress`` for stage 7, one task at a time, as Spark's would."""

    def execute_job(self, tasks: int, **_: Any) -> Metrics:
        with self.phase("transform") as phase:
            for done in range(tasks + 1):
                self.publish(
                    EventName.SPARK_PROGRESS,
                    stage_id=7,
                    tasks_done=done,
                    tasks_running=min(1, tasks - done),
                    tasks_total=tasks,
                    tasks_failed=0,
                )
            phase.rows = tasks
        return {"tasks": tasks}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up."""


class ProgressJobFactory(AbstractJobFactory[ProgressConfig]):
    """Builds the progress job."""

    job_name = "progress"
    config_model = ProgressConfig
    needs_spark = False

    def create_job(self, **kwargs: Any) -> ProgressJob:
        self.parse_job_config(**kwargs)
        return ProgressJob(**self.job_services())


def main(**kwargs: Any) -> Any:
    return ProgressJobFactory(**kwargs).run(**kwargs)

"""Writes one file per date: the no-Spark job of the backfill tests."""

from __future__ import annotations

from typing import Any

from dwh_test_jobs.dated.dated_config import DatedConfig
from dwh_test_jobs.dated.dated_job import DatedJob, date_file

from dwh.jobs.abstract_job_factory import AbstractJobFactory


class DatedJobFactory(AbstractJobFactory[DatedConfig]):
    """Builds a :class:`DatedJob`; its dates are independent of each other."""

    job_name = "dated"
    config_model = DatedConfig
    needs_spark = False
    dates_independent = True

    def create_job(self, **kwargs: Any) -> DatedJob:
        """Validate the config and return the job."""
        self.parse_job_config(**kwargs)
        return DatedJob(**self.job_services())

    def output_paths(self, config: DatedConfig) -> list[str]:
        """The date's file: two runs of one date never write it at once."""
        return [str(date_file(config.out_dir, config.run_date))]


def main(**kwargs: Any) -> Any:
    """Run the dated job."""
    return DatedJobFactory(**kwargs).run(**kwargs)

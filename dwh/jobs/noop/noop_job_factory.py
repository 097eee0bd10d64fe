"""Runs the job lifecycle without Spark or data: checks a deployment, a watcher, or overhead.

Example::

    python scripts/glue/generic_entry.py --module_name dwh.jobs.noop.noop_job_factory \\
        --noop_job '{"sleep_seconds": 1}' --has_spark false
"""

from __future__ import annotations

from typing import Any

from dwh.jobs.abstract_job_factory import AbstractJobFactory
from dwh.jobs.noop.noop_config import NoopConfig
from dwh.jobs.noop.noop_job import NoopJob


class NoopJobFactory(AbstractJobFactory[NoopConfig]):
    """Builds a :class:`NoopJob`; never starts Spark."""

    job_name = "noop"
    config_model = NoopConfig
    needs_spark = False

    def create_job(self, **kwargs: Any) -> NoopJob:
        """Validate the config and return the job."""
        self.parse_job_config(**kwargs)
        return NoopJob(**self.job_services())


def main(**kwargs: Any) -> Any:
    """Run the noop job (the factory module contract)."""
    return NoopJobFactory(**kwargs).run(**kwargs)

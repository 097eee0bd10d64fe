"""Relays a message: the downstream job of the lifecycle and trigger tests (no Spark)."""

from __future__ import annotations

from typing import Any

from dwh_test_jobs.relay.relay_config import RelayConfig
from dwh_test_jobs.relay.relay_job import RelayJob

from dwh.jobs.abstract_job_factory import AbstractJobFactory


class RelayJobFactory(AbstractJobFactory[RelayConfig]):
    """Builds a :class:`RelayJob`."""

    job_name = "relay"
    config_model = RelayConfig
    needs_spark = False

    def create_job(self, **kwargs: Any) -> RelayJob:
        """Validate the config and return the job."""
        self.parse_job_config(**kwargs)
        return RelayJob(**self.job_services())


def main(**kwargs: Any) -> Any:
    """Run the relay job."""
    return RelayJobFactory(**kwargs).run(**kwargs)

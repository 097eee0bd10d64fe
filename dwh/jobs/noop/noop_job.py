"""The ``noop`` job: the whole lifecycle, no data work."""

from __future__ import annotations

import time

from dwh.jobs.abstract_job import AbstractJob, Metrics


class NoopJob(AbstractJob):
    """Runs the three phases without touching data, so watchers and hooks can be checked."""

    def execute_job(self, message: str, sleep_seconds: float, fail_with: str | None) -> Metrics:
        """Sleep through extract, transform and load; fail in load when asked to."""
        for name in ("extract", "transform", "load"):
            with self.phase(name) as phase:
                time.sleep(sleep_seconds)
                if name == "load" and fail_with:
                    raise RuntimeError(fail_with)
                phase.rows = 0
        return {"message": message, "phases": 3}

    def on_success(self, results: Metrics) -> None:
        """Nothing to clean up."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up; the framework publishes ``job_failed``."""

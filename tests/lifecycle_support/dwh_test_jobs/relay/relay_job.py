"""The ``relay`` test job: reports its message as a metric and as an output."""

from __future__ import annotations

from typing import Any

from dwh.jobs.abstract_job import AbstractJob, Metrics


class RelayJob(AbstractJob):
    """Passes its message on; fails in load when asked to."""

    def execute_job(self, message: str, fail_with: str | None, **_: Any) -> Metrics:
        """Run three phases; record ``relay/<message>`` as the ``relayed`` output."""
        for name in ("extract", "transform", "load"):
            with self.phase(name) as phase:
                if name == "load" and fail_with:
                    raise RuntimeError(fail_with)
                phase.rows = len(message)
        self.record_output("relayed", f"relay/{message}")
        return {"message": message, "length": len(message)}

    def on_success(self, results: Metrics) -> None:
        """Nothing to do."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to do."""

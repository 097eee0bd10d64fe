"""The ``score_table`` test job: load CSV scores into a day-partitioned catalog table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dwh.jobs.abstract_job import AbstractJob, Metrics

if TYPE_CHECKING:
    from dwh.services.protocols import Loader, Reader


class ScoreTableJob(AbstractJob):
    """Reads CSV and overwrites the table partitions of the days it holds."""

    def __init__(self, reader: Reader, loader: Loader, **services: Any) -> None:
        super().__init__(**services)
        self.reader, self.loader = reader, loader

    def execute_job(self, input_path: str, table: str, **_: Any) -> Metrics:
        """Load the rows; return how many."""
        with self.phase("extract") as phase:
            scores = self.reader.read(input_path).cache()
            phase.rows = rows = scores.count()
        with self.phase("load") as phase:
            self.loader.load(scores, table)
            phase.rows = rows
        self.record_output("table", table)
        return {"rows": rows}

    def on_success(self, results: Metrics) -> None:
        """Nothing to do."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to do."""

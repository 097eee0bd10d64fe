"""The ``score_report`` test job: read scores, grade them, write one CSV report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dwh.jobs.abstract_job import AbstractJob, Metrics

if TYPE_CHECKING:
    from dwh.services.protocols import Loader, Reader, Transformer


class ScoreReportJob(AbstractJob):
    """Reads, transforms and loads, reporting each phase's row count."""

    def __init__(
        self, reader: Reader, transformer: Transformer, loader: Loader, **services: Any
    ) -> None:
        super().__init__(**services)
        self.reader, self.transformer, self.loader = reader, transformer, loader

    def execute_job(self, input_path: str, report_path: str, **_: Any) -> Metrics:
        """Write the report; return the rows read and written."""
        with self.phase("extract") as phase:
            scores = self.reader.read(input_path)
            phase.rows = input_rows = scores.count()
        with self.phase("transform") as phase:
            report = self.transformer.transform(scores).cache()
            phase.rows = output_rows = report.count()
        with self.phase("load") as phase:
            self.loader.load(report, report_path)
            phase.rows = output_rows
        self.record_output("report", report_path)
        return {"input_rows": input_rows, "output_rows": output_rows}

    def on_success(self, results: Metrics) -> None:
        """Nothing to do."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to do."""

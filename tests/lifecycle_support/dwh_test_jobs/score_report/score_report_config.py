"""Config of the ``score_report`` test job."""

from __future__ import annotations

from pydantic import Field

from dwh.config import JobConfig


class ScoreReportConfig(JobConfig):
    """Where the scores are, the report's threshold, and where the report goes."""

    input_path: str = Field(description="Parquet scores: id, name, score, day.")
    min_score: float = Field(description="Rows scoring below this are left out.")
    report_path: str = Field(description="The CSV report: one file, replaced whole.")
    delimiter: str = Field(",", description="The report's field separator.")

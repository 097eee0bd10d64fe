"""Wires ``score_report``: a parquet reader, the graded transformer, a single-file CSV loader."""

from __future__ import annotations

from typing import Any

from dwh_test_jobs.score_report.score_report_config import ScoreReportConfig
from dwh_test_jobs.score_report.score_report_job import ScoreReportJob

from dwh.jobs.abstract_job_factory import AbstractJobFactory


class ScoreReportJobFactory(AbstractJobFactory[ScoreReportConfig]):
    """Builds :class:`ScoreReportJob`; the transformer gets its threshold from the config."""

    job_name = "score_report"
    config_model = ScoreReportConfig

    def create_job(self, **kwargs: Any) -> ScoreReportJob:
        """Validate the config, then build the Spark services and the job."""
        config = self.parse_job_config(**kwargs)
        spark = self.get_spark_session()
        from dwh_test_jobs.score_report.score_report_transformer import ScoreReportTransformer

        from dwh.services.loaders import CsvLoader
        from dwh.services.readers import ParquetReader

        return ScoreReportJob(
            reader=ParquetReader(spark),
            transformer=ScoreReportTransformer(min_score=config.min_score),
            loader=CsvLoader(delimiter=config.delimiter, single_file=True),
            **self.job_services(),
        )

    def output_paths(self, config: ScoreReportConfig) -> list[str]:
        """The report file."""
        return [config.report_path]


def main(**kwargs: Any) -> Any:
    """Run score_report."""
    return ScoreReportJobFactory(**kwargs).run(**kwargs)

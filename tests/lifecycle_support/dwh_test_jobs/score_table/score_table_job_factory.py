"""Wires ``score_table``: a CSV reader and a table loader, on the local catalog when local."""

from __future__ import annotations

from typing import Any

from dwh_test_jobs.score_table.score_table_config import ScoreTableConfig
from dwh_test_jobs.score_table.score_table_job import ScoreTableJob

from dwh.jobs.abstract_job_factory import AbstractJobFactory

SCHEMA = "id INT, name STRING, score DOUBLE, day DATE"


class ScoreTableJobFactory(AbstractJobFactory[ScoreTableConfig]):
    """Builds :class:`ScoreTableJob`."""

    job_name = "score_table"
    config_model = ScoreTableConfig
    uses_catalog = True

    def create_job(self, **kwargs: Any) -> ScoreTableJob:
        """Validate the config, then build the Spark services and the job."""
        self.parse_job_config(**kwargs)
        spark = self.get_spark_session()
        from dwh.services.readers import CsvReader
        from dwh.services.tables import TableLoader

        return ScoreTableJob(
            reader=CsvReader(spark, schema=SCHEMA),
            loader=TableLoader(partition_by=["day"]),
            **self.job_services(),
        )


def main(**kwargs: Any) -> Any:
    """Run score_table."""
    return ScoreTableJobFactory(**kwargs).run(**kwargs)

"""Config of the ``score_table`` test job."""

from __future__ import annotations

from pydantic import Field

from dwh.config import JobConfig


class ScoreTableConfig(JobConfig):
    """Where the CSV scores are and which table they go to."""

    input_path: str = Field(description="CSV scores with a header: id, name, score, day.")
    table: str = Field(description="The catalog table, db.name; partitioned by day.")

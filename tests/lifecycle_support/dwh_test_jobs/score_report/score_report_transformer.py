"""Keeps the rows at or above a threshold and grades them: a transformer with a parameter."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


class ScoreReportTransformer:
    """Filters and grades scores; the threshold comes from the config, via the factory.

    Args:
        min_score: Rows scoring below this are dropped.
    """

    def __init__(self, min_score: float) -> None:
        self.min_score = min_score

    def transform(self, *frames: DataFrame) -> DataFrame:
        """Return the rows of the one frame scoring at least ``min_score``, with a grade."""
        from pyspark.sql import functions as F

        (scores,) = frames
        kept = scores.where(F.col("score") >= self.min_score)
        grade = F.when(F.col("score") >= 9, "A").otherwise("B")
        return kept.withColumn("grade", grade).orderBy("id")

"""The session provider reuses what is running and always works in UTC."""

from __future__ import annotations

from pyspark.sql import SparkSession

from dwh.spark.session import get_spark_session, under_spark_submit


def test_an_active_session_is_reused(spark: SparkSession) -> None:
    assert get_spark_session("another-name") is spark


def test_sessions_use_utc(spark: SparkSession) -> None:
    spark.conf.set("spark.sql.session.timeZone", "Europe/Paris")

    session = get_spark_session()

    assert session.conf.get("spark.sql.session.timeZone") == "UTC"


def test_a_test_run_is_not_under_spark_submit() -> None:
    assert under_spark_submit() is False

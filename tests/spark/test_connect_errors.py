"""Spark Connect's errors with a remedy become one clear dwh error."""

from __future__ import annotations

import grpc
from pyspark.errors import PySparkAttributeError, PySparkNotImplementedError
from pyspark.errors.exceptions.connect import SparkConnectGrpcException

from dwh.errors import ExitCode, SparkConnectUnsupportedError, SparkServerLostError
from dwh.spark import as_connect_error


def test_spark_context_on_connect_says_to_run_cold() -> None:
    exc = PySparkAttributeError(
        errorClass="JVM_ATTRIBUTE_NOT_SUPPORTED", messageParameters={"attr_name": "sparkContext"}
    )
    error = as_connect_error(exc, "probe")
    assert isinstance(error, SparkConnectUnsupportedError)
    assert error.exit_code == ExitCode.JOB_FAILED
    assert str(error) == (
        "job 'probe' uses spark.sparkContext, which a warm (Spark Connect) session does not "
        "have: run it cold, without --warm"
    )


def test_rdd_on_connect_says_to_run_cold() -> None:
    exc = PySparkNotImplementedError(
        errorClass="NOT_IMPLEMENTED", messageParameters={"feature": "rdd"}
    )
    error = as_connect_error(exc, "probe")
    assert isinstance(error, SparkConnectUnsupportedError)
    assert "uses RDDs (DataFrame.rdd)" in str(error)


def test_an_unavailable_server_is_one_line() -> None:
    exc = SparkConnectGrpcException("<_MultiThreadedRendezvous ...\nstatus = UNAVAILABLE ...>",
                                    grpc_status_code=grpc.StatusCode.UNAVAILABLE)  # fmt: skip
    error = as_connect_error(exc, "probe")
    assert isinstance(error, SparkServerLostError)
    assert "\n" not in str(error) and "next warm run starts a new one" in str(error)


def test_other_errors_pass_through() -> None:
    other = PySparkNotImplementedError(
        errorClass="NOT_IMPLEMENTED", messageParameters={"feature": "something"}
    )
    assert as_connect_error(other, "probe") is None
    assert as_connect_error(ValueError("x"), "probe") is None

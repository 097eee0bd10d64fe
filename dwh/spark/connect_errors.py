"""Turn Spark Connect's errors that have a remedy into one clear dwh error.

A warm run's session is a Spark Connect session, which has no ``sparkContext`` and no
RDDs. pyspark says so with ``JVM_ATTRIBUTE_NOT_SUPPORTED`` (``spark.sparkContext``,
``_jvm`` ...) or ``NOT_IMPLEMENTED`` (``df.rdd``); the user needs to hear the remedy
instead: run that job cold. A server that dies mid-run surfaces as a multi-line gRPC
``UNAVAILABLE`` dump; the user needs one line saying what happened. Checked by error
class and status name, so pyspark is never imported here.
"""

from __future__ import annotations

from dwh.errors import JobFailedError, SparkConnectUnsupportedError, SparkServerLostError

_JVM_ONLY = "JVM_ATTRIBUTE_NOT_SUPPORTED"
_NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
_RDD_FEATURES = frozenset({"rdd"})
_SERVER_GONE = frozenset({"UNAVAILABLE"})


def as_connect_error(exc: BaseException, job: str) -> JobFailedError | None:
    """Return the dwh error for a job that needs classic Spark or lost its server, else None.

    Args:
        exc: What the job raised.
        job: The job's name, for the message.
    """
    get_status = getattr(exc, "getGrpcStatusCode", None)  # SparkConnectGrpcException
    if callable(get_status) and getattr(get_status(), "name", "") in _SERVER_GONE:
        return SparkServerLostError(
            f"job '{job}' lost its Spark server mid-run (it stopped answering): "
            "the next warm run starts a new one"
        )
    get_class = getattr(exc, "getCondition", None)  # pyspark's PySparkException
    if not callable(get_class):
        return None
    error_class = get_class()
    params = getattr(exc, "getMessageParameters", lambda: None)() or {}
    if error_class == _JVM_ONLY:
        what = f"spark.{params.get('attr_name', 'sparkContext')}"
    elif error_class == _NOT_IMPLEMENTED and params.get("feature") in _RDD_FEATURES:
        what = "RDDs (DataFrame.rdd)"
    else:
        return None
    return SparkConnectUnsupportedError(
        f"job '{job}' uses {what}, which a warm (Spark Connect) session does not have: "
        "run it cold, without --warm"
    )

"""Turn Spark Connect's "not on Connect" errors into one clear dwh error.

A warm run's session is a Spark Connect session, which has no ``sparkContext`` and no
RDDs. pyspark says so with ``JVM_ATTRIBUTE_NOT_SUPPORTED`` (``spark.sparkContext``,
``_jvm`` ...) or ``NOT_IMPLEMENTED`` (``df.rdd``); the user needs to hear the remedy
instead: run that job cold. Checked by error class, so pyspark is never imported here.
"""

from __future__ import annotations

from dwh.errors import SparkConnectUnsupportedError

_JVM_ONLY = "JVM_ATTRIBUTE_NOT_SUPPORTED"
_NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
_RDD_FEATURES = frozenset({"rdd"})


def as_connect_error(exc: BaseException, job: str) -> SparkConnectUnsupportedError | None:
    """Return the dwh error for a job that needs classic Spark, or None for any other error.

    Args:
        exc: What the job raised.
        job: The job's name, for the message.
    """
    get_class = getattr(exc, "getErrorClass", None)
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

"""Give jobs a Spark session: reuse the one that is running, or build a local one.

On Databricks, Glue, EMR, in a notebook or under a test fixture a session already
exists, and it is reused as it is. Under ``spark-submit`` the master and resources
come from the command line. Only a plain ``python`` run gets the local defaults below.
Every session gets the UTC session time zone, which the jobs' timestamp logic relies on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_DEFAULTS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.adaptive.enabled": "true",
    # Local mode runs the executor inside the driver's JVM, and Spark's 1 GB default
    # heap is too small for two tasks that each read a whole 128 MB Parquet row group
    # (an OutOfMemoryError in about 1 run in 10 of filter_images at 10M rows; always
    # at 640 MB). Only honoured before the JVM starts.
    "spark.driver.memory": "2g",
}
"""Settings for a session built outside any cluster: fast to start, quiet, loopback only."""

ALWAYS: dict[str, str] = {"spark.sql.session.timeZone": "UTC"}
"""Settings every session gets, on a cluster too."""


def under_spark_submit() -> bool:
    """Return True when this Python process was started by ``spark-submit``."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def get_spark_session(
    app_name: str = "dwh",
    *,
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    remote: str | None = None,
) -> SparkSession:
    """Return the active session, or build one.

    Args:
        app_name: The application name for a new session.
        master: The master URL for a new session outside ``spark-submit``;
            defaults to ``local[*]``.
        conf: Extra settings for a new session; they win over the local defaults.
        remote: A Spark Connect URL (``sc://host:port``); builds a Connect session.

    Returns:
        A session whose SQL time zone is UTC.
    """
    from pyspark.sql import SparkSession

    if remote:
        local = _use_local_server_token(remote)
        session = SparkSession.builder.remote(remote).getOrCreate()
        if local:
            _fail_fast(session)
        _apply(session, ALWAYS)
        return session
    active = SparkSession.getActiveSession()
    if active is not None:
        _apply(active, ALWAYS)
        return active
    builder = SparkSession.builder.appName(app_name)
    settings: dict[str, str] = {}
    if not under_spark_submit():
        builder = builder.master(master or "local[*]")
        settings.update(LOCAL_DEFAULTS)
        # Python workers must see this interpreter's packages (pyarrow for Arrow
        # steps), not whatever `python3` comes first on PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings.update(ALWAYS)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    if not under_spark_submit():
        session.sparkContext.setLogLevel("WARN")
    return session


def _apply(session: SparkSession, settings: Mapping[str, str]) -> None:
    for key, value in settings.items():
        session.conf.set(key, value)


def _use_local_server_token(remote: str) -> bool:
    """Authenticate to dwh's local Connect server (``dwh spark start``) when that is the target.

    Its token lives in a 0600 discovery file, never on a command line; any other
    server's token comes from the URL or ``SPARK_CONNECT_AUTHENTICATE_TOKEN`` as usual.

    Returns:
        True when ``remote`` is dwh's local server.
    """
    from dwh.spark.server import client_token

    token = client_token(remote)
    if token and "SPARK_CONNECT_AUTHENTICATE_TOKEN" not in os.environ and ";token=" not in remote:
        os.environ["SPARK_CONNECT_AUTHENTICATE_TOKEN"] = token
    return token is not None


def _fail_fast(session: SparkSession) -> None:
    """Give up on a dead local server within about a second, not after ten minutes.

    The client's default retries ride out a remote cluster's restarts; a local server
    that stops answering has died, and the run should fail now and say so.
    """
    import warnings

    from pyspark.sql.connect.client.retries import DefaultPolicy

    # The run's one error line says the server is gone; this warning would repeat it.
    warnings.filterwarnings("ignore", message=r"\[RETRIES_EXCEEDED\]")

    session.client.set_retry_policies([DefaultPolicy(max_retries=3, max_backoff=500)])

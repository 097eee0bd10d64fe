"""Give jobs a Spark session: reuse the one that is running, or build a local one.

On Databricks, Glue, EMR, in a notebook or under a test fixture a session already
exists, and it is reused as it is. Under ``spark-submit`` the master and resources
come from the command line; when that master is local (``local``, ``local[N]``, or none
given), the local defaults below that the command line did not set are applied too, so
a local ``spark-submit`` run is as quiet as a ``python`` one: log level WARN (unless
``spark.log.level`` or a log4j config was given), no Spark UI on port 4040. Only
``spark.driver.memory`` differs: the driver JVM is already running.
A session built here for a local master starts its JVM with dwh's log4j2 file
(:data:`dwh.spark.conf.LOG4J2_FILE`) and ``SPARK_LOCAL_IP=127.0.0.1``, so Spark's
start-up notices stay off the console (:func:`dwh.spark.conf.local_logging_settings`).
Every session gets the UTC session time zone, which the jobs' timestamp logic relies on.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from dwh.spark.conf import ALWAYS, LOCAL_DEFAULTS, local_catalog_settings, local_logging_settings
from dwh.spark.remote import client_token

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["detach", "end_session", "get_spark_session", "under_spark_submit"]


def under_spark_submit() -> bool:
    """Return True when this Python process was started by ``spark-submit``."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def get_spark_session(
    app_name: str = "dwh",
    *,
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    remote: str | None = None,
    catalog: bool = False,
    fresh: bool = False,
) -> SparkSession:
    """Return the active session, or build one.

    Args:
        app_name: The application name for a new session.
        master: The master URL for a new session outside ``spark-submit``;
            defaults to ``local[*]``.
        conf: Extra settings for a new session; they win over the local defaults. A
            Spark Connect session gets them as runtime settings.
        remote: A Spark Connect URL (``sc://host:port``); builds a Connect session.
        fresh: With ``remote``, always a new client session, never this process's
            active one (pyspark's ``getOrCreate`` returns that whatever the URL).
        catalog: A new local session gets the embedded Hive catalog under
            ``$DWH_HOME`` (:func:`dwh.spark.conf.local_catalog_settings`); a
            session on a cluster keeps the platform's catalog.

    Returns:
        A session whose SQL time zone is UTC.
    """
    from pyspark.sql import SparkSession

    if remote:
        local = _use_local_server_token(remote)
        session = _connect_session(remote, fresh=fresh)
        try:
            if local:
                _fail_fast(session)
                _stream_to_the_end(session)
            _apply(session, {**ALWAYS, **(conf or {})})
        except Exception:
            if fresh:  # ours alone; one getOrCreate returned may be the caller's
                detach(session)
            raise
        return session
    active = SparkSession.getActiveSession()
    if active is not None:
        _apply(active, ALWAYS)
        return active
    builder = SparkSession.builder.appName(app_name)
    settings: dict[str, str] = {}
    if under_spark_submit():
        settings.update(_submit_local_defaults(catalog=catalog))
    else:
        builder = builder.master(master or "local[*]")
        settings.update(LOCAL_DEFAULTS)
        # Quiet from the JVM's first line: dwh's log4j2 file, and the loopback address
        # the driver binds to anyway (no "hostname resolves to a loopback" warning).
        settings.update(local_logging_settings())
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings.update(local_catalog_settings() if catalog else {})
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


def _connect_session(remote: str, *, fresh: bool = False) -> SparkSession:
    """A Spark Connect session on ``remote``, also in a process with a classic session.

    pyspark's own builder refuses ``sc://`` while a classic SparkContext is running
    (``SESSION_ALREADY_EXIST``): a notebook kernel that ran a job cold and then runs
    one warm has exactly that. Connect's builder has no such check, and never hands
    back the classic session.
    """
    from pyspark.sql import SparkSession

    if not remote.startswith("sc://"):  # local[*]: pyspark starts or reuses the server
        return SparkSession.builder.remote(remote).getOrCreate()
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    # What pyspark's builder sets, so DataFrame functions build Connect plans.
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    builder = ConnectSession.builder.remote(remote)
    return cast("SparkSession", builder.create() if fresh else builder.getOrCreate())


def end_session(session: Any) -> None:
    """End a Connect session on the server, after its executions' own releases.

    When a query's results are read, pyspark's client tells the server to drop them
    (``ReleaseExecute``) from a thread pool, without waiting. ``session.stop()`` sends
    ``ReleaseSession`` at once, so those calls can reach the server after the session is
    gone, and the server logs each as ``ERROR ErrorUtils: Spark Connect RPC error during:
    releaseExecute ... SESSION_CLOSED``. Waiting for them first (as ``stop()`` itself
    does, but only before closing the channel) keeps the order right.
    """
    import concurrent.futures

    pending = list(getattr(getattr(session, "client", None), "_release_futures", ()))
    if pending:
        concurrent.futures.wait(pending, timeout=10)
    session.stop()


def detach(session: Any) -> None:
    """Close this process's channel to a Connect session, leaving the session on the server.

    For a session someone else ends (a backfill's shared one, a spare), and for one the
    server refused. Closing the channel marks the client closed, so pyspark's exit hook
    sends nothing at exit: otherwise it runs an ML-cache cleanup whose response stream
    the exiting process never finishes reading, and the server logs ``ERROR ErrorUtils:
    Spark Connect RPC error during: async-grpc-response-sender`` when the session is
    later released. It also stops being the process's default and active session,
    which ``pyspark.sql.functions`` use.
    """
    session.release_session_on_close = False  # Connect only: a classic session has none
    with contextlib.suppress(Exception):
        session.stop()


def _submit_local_defaults(*, catalog: bool = False) -> dict[str, str]:
    """Under ``spark-submit`` with a local master: the local defaults it did not set."""
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized()  # connect to spark-submit's JVM
    submitted = SparkConf()  # what spark-submit was given, from the JVM's properties
    if not submitted.get("spark.master", "local[*]").startswith("local"):
        return {}
    quiet = {**LOCAL_DEFAULTS, **(local_catalog_settings() if catalog else {})}
    del quiet["spark.driver.memory"]  # too late: the driver JVM runs already
    own_logging = "log4j" in (submitted.get("spark.driver.extraJavaOptions") or "")
    if not own_logging and not submitted.contains("spark.log.level"):
        try:
            _quiet_jvm_logging()
        except Exception:  # a Spark without these internals: WARN once it has started
            quiet["spark.log.level"] = "WARN"
    return {key: value for key, value in quiet.items() if not submitted.contains(key)}


def _quiet_jvm_logging() -> None:
    """Set the driver's log level to WARN before the SparkContext logs its start-up.

    ``spark.log.level`` takes effect only after the first INFO lines. spark-submit
    resets logging before the app runs, so logging is initialised here first, or the
    SparkContext would reload the INFO defaults over this level.
    """
    from pyspark import SparkContext

    jvm: Any = SparkContext._jvm
    utils = getattr(jvm.org.apache.spark.util, "Utils$").__getattr__("MODULE$")
    utils.initializeForcefully(False, True)
    utils.setLogLevel(jvm.org.apache.logging.log4j.Level.WARN)


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
    token = client_token(remote)
    if token and "SPARK_CONNECT_AUTHENTICATE_TOKEN" not in os.environ and ";token=" not in remote:
        os.environ["SPARK_CONNECT_AUTHENTICATE_TOKEN"] = token
    return token is not None


def _stream_to_the_end(session: SparkSession) -> None:
    """Run this session's queries as plain streams, read to their end, not reattachable ones.

    A reattachable execution (pyspark's default) sends ``ReleaseExecute`` the moment the
    client has *returned* the result's last response, from a thread pool, while the
    server's sender thread may not yet have closed the stream. When the release lands
    in that gap, the server interrupts the sender, which then fails with
    ``INVALID_CURSOR.DISCONNECTED`` and logs ``ERROR ErrorUtils: Spark Connect RPC error
    during: async-grpc-response-sender`` (Spark 4.3's ``ExecuteGrpcResponseSender``
    checks ``interrupted`` before ``streamFinished``): about one query in a few thousand
    on a loaded machine. A plain execution is read until the server closes its stream,
    releases itself there, and sends no ``ReleaseExecute`` at all. Reattaching rides out
    network drops to a remote cluster; on the loopback to dwh's own server a dropped
    stream means the server died, which fails the run either way.
    """
    session.client.disable_reattachable_execute()


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

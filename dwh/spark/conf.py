"""The Spark settings dwh applies, in one place: local sessions, every session, the server.

Read by :mod:`dwh.spark.session` (the sessions a run gets), :mod:`dwh.spark.server`
(the local Connect server), the pytest plugin's ``spark`` fixture and the benchmarks,
so a test, a benchmark and a run all see the same Spark.
"""

from __future__ import annotations

import re
from pathlib import Path

from dwh.settings import dwh_home, spark_startup_log_enabled

__all__ = [
    "ALWAYS",
    "CATALOG_FOLDER",
    "LOCAL_DEFAULTS",
    "LOG4J2_FILE",
    "SHARED_SESSION",
    "STARTUP_NOISE",
    "local_catalog_settings",
    "local_logging_settings",
]

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
    # A collect hands Python a one-shot local socket that the JVM closes if Python has
    # not connected within this time (15 s by default): on a busy 2-core laptop or CI
    # machine that was a `CANNOT_OPEN_SOCKET ... Connection refused` in a plain collect.
    "spark.python.authenticate.socketTimeout": "120s",
}
"""Settings for a session built outside any cluster: fast to start, quiet, loopback only."""

ALWAYS: dict[str, str] = {"spark.sql.session.timeZone": "UTC"}
"""Settings every session gets, on a cluster too."""

SHARED_SESSION: dict[str, str] = {"spark.connect.session.planCache.enabled": "false"}
"""Settings of a Spark Connect session that runs after runs (a backfill's dates share one).

Connect caches each session's analysed plans, data source reads always: a date
reading the partitions an earlier date of the same session wrote would see the listing
from before that write.
"""

LOG4J2_FILE = Path(__file__).with_name("log4j2.properties")
"""dwh's log4j2 configuration for local sessions (package data: it ships in the wheel)."""

STARTUP_NOISE = re.compile(
    r"WARNING: Using incubator modules|Using Spark's default log4j profile|"
    r"Setting default log level to|To adjust logging level use sc\.setLogLevel|"
    r"WARN NativeCodeLoader: Unable to load native-hadoop library|"
    r"WARN Utils: (Your hostname, .* resolves to a loopback address|Set SPARK_LOCAL_IP)"
)
"""Spark's and the JVM's start-up notices, which the launcher keeps off the terminal."""


def local_logging_settings() -> dict[str, str]:
    """Return the driver option that gives a new local JVM dwh's log4j2 file.

    Its start-up notices stay off the console unless ``$DWH_SPARK_STARTUP_LOG`` is on.
    Only honoured before the JVM starts; a ``conf`` of the caller's own replaces it.
    """
    startup = "NEUTRAL" if spark_startup_log_enabled() else "DENY"
    options = f"-Dlog4j2.configurationFile={LOG4J2_FILE.as_uri()} -Ddwh.spark.startup={startup}"
    return {"spark.driver.extraJavaOptions": options}


CATALOG_FOLDER = "catalog"
"""The folder under ``$DWH_HOME`` that holds the local metastore and warehouse."""


def local_catalog_settings(home: Path | None = None) -> dict[str, str]:
    """Return the settings of the local embedded catalog under ``home`` (``$DWH_HOME``).

    Hive support with a Derby metastore at ``<home>/catalog/metastore_db`` and table
    data under ``<home>/catalog/warehouse``. Embedded Derby admits one process at a
    time: two local runs that both use the catalog at once fail to open it.
    """
    base = (home or dwh_home()).resolve() / CATALOG_FOLDER
    return {
        "spark.sql.catalogImplementation": "hive",
        # The bare javax.jdo key is ignored: metastore settings need spark.hadoop.
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={base / 'metastore_db'};create=true"
        ),
        "spark.sql.warehouse.dir": str(base / "warehouse"),
    }

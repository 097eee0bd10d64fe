"""pytest plugin: a session-scoped ``spark`` fixture, shared by every Spark test.

Registered through the ``pytest11`` entry point, so installing dwh is enough. Starting
Spark takes seconds, so one session serves the whole test run: ``local[2]``, UI off,
two shuffle partitions, UTC. pyspark is imported only when a test asks for ``spark``.

The project's own job packages (``[tool.dwh] job_packages`` in its ``pyproject.toml``)
are made importable, as the ``dwh`` command does. Every test that uses the fixture is
marked ``spark`` (the slow tier), in any project
that installs dwh: ``pytest -m "not spark"`` runs the fast tier alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from dwh.registry import make_importable
from dwh.settings import job_packages
from dwh.spark.conf import LOCAL_DEFAULTS
from dwh.spark.session import get_spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TEST_CONF: dict[str, str] = {
    **LOCAL_DEFAULTS,
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
}
"""The local defaults, with parallelism sized for small test DataFrames."""


SPARK_MARKER = "spark: needs a JVM and a SparkSession (the slow tier)"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``spark`` marker, so ``--strict-markers`` projects accept it.

    The job packages the project declares (``[tool.dwh] job_packages``) become
    importable, so a plain ``pytest`` finds a job that ``dwh new --package`` created.
    """
    config.addinivalue_line("markers", SPARK_MARKER)
    make_importable(job_packages())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the ``spark`` fixture, directly or through another."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """A local SparkSession for the whole test session.

    Tables it creates go to a temporary warehouse, not ``./spark-warehouse``.
    """
    warehouse = str(tmp_path_factory.mktemp("spark-warehouse"))
    conf = {**TEST_CONF, "spark.sql.warehouse.dir": warehouse}
    session = get_spark_session("dwh-tests", master="local[2]", conf=conf)
    yield session
    session.stop()

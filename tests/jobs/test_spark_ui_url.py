"""The factory hands the job its session's Spark UI address; ``job_started`` records it."""

from __future__ import annotations

from typing import Any

import pytest

from dwh.config import JobConfig
from dwh.events import EventName
from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import AbstractJobFactory
from dwh.testing import RecordingEventPublisher


class _Context:
    """A classic SparkContext as far as the UI address goes (no status tracker)."""

    def __init__(self, url: str | None) -> None:
        self.uiWebUrl = url


class ClassicSession:
    """A classic session, without a JVM: its context knows the UI address (or None)."""

    def __init__(self, url: str | None) -> None:
        self.sparkContext = _Context(url)


class ConnectSession:
    """A Spark Connect client session: it has no SparkContext, as pyspark's has none."""

    __module__ = "pyspark.sql.connect.session"

    @property
    def sparkContext(self) -> Any:
        raise RuntimeError("[JVM_ATTRIBUTE_NOT_SUPPORTED] sparkContext is not supported")


class BrokenSession:
    """A classic session whose context is gone."""

    @property
    def sparkContext(self) -> Any:
        raise RuntimeError("the SparkContext was shut down")


class PingConfig(JobConfig):
    n: int = 1


class PingJob(AbstractJob):
    def execute_job(self, n: int, **_: Any) -> dict[str, Any]:
        return {"n": n}

    def on_success(self, results: Any) -> None:
        pass

    def on_failure(self, error_message: str) -> None:
        pass


class PingFactory(AbstractJobFactory[PingConfig]):
    job_name = "ping"
    config_model = PingConfig

    def create_job(self, **kwargs: Any) -> PingJob:
        self.parse_job_config(**kwargs)
        self.get_spark_session()
        return PingJob(**self.job_services())


class FakeSessionFactory(PingFactory):
    """Hands out a fake session instead of a JVM; the rest is the factory's own code."""

    session: Any = None

    def get_spark_session(self) -> Any:
        self._spark = self.session
        return self._spark


def _started(session: Any) -> dict[str, Any]:
    publisher = RecordingEventPublisher()
    kwargs = {"ping_job": {"n": 2}, "has_spark": True, "event_publisher": publisher}
    factory = FakeSessionFactory(**kwargs)
    factory.session = session

    assert factory.run(**kwargs) == {"n": 2}
    assert publisher.names[-1] == EventName.JOB_SUCCEEDED
    (started,) = publisher.of(EventName.JOB_STARTED)
    return started.payload


def test_a_classic_session_with_its_ui_records_the_address() -> None:
    payload = _started(ClassicSession("http://10.0.3.7:4040"))

    assert payload["spark_ui_url"] == "http://10.0.3.7:4040"


@pytest.mark.parametrize(
    "session",
    [ClassicSession(None), ConnectSession(), BrokenSession(), None],
    ids=["ui-off", "spark-connect", "context-gone", "no-session"],
)
def test_no_ui_address_means_no_key_and_the_run_goes_on(session: Any) -> None:
    payload = _started(session)

    assert "spark_ui_url" not in payload
    assert set(payload) == {"config", "config_hash"}


@pytest.mark.spark
def test_the_shared_local_session_has_its_ui_off_so_nothing_is_recorded(spark) -> None:
    publisher = RecordingEventPublisher()

    kwargs = {"ping_job": {}, "has_spark": True, "event_publisher": publisher}
    factory = PingFactory(**kwargs)
    factory.run(**kwargs)

    assert spark.sparkContext.uiWebUrl is None  # the test conf turns the UI off
    assert factory.spark_ui_url() is None
    assert "spark_ui_url" not in publisher.of(EventName.JOB_STARTED)[0].payload

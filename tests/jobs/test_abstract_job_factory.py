"""The factory: kwargs, config parsing, valid_params, and when Spark is asked for."""

from __future__ import annotations

from typing import Any

import pytest

from dwh.config import JobConfig
from dwh.errors import ConfigError, JobContractError, UsageError
from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import AbstractJobFactory, parse_bool, valid_params
from dwh.testing import RecordingEventPublisher


class GreetConfig(JobConfig):
    name: str
    times: int = 1
    api_token: str | None = None


class GreetJob(AbstractJob):
    def execute_job(self, name: str, times: int, **_: Any) -> dict[str, Any]:
        return {"greeting": " ".join([f"hi {name}"] * times)}

    def on_success(self, results: Any) -> None:
        pass

    def on_failure(self, error_message: str) -> None:
        pass


class StrictGreetJob(GreetJob):
    def execute_job(self, name: str, times: int) -> dict[str, Any]:  # type: ignore[override]
        return {"greeting": name * times}


class GreetJobFactory(AbstractJobFactory[GreetConfig]):
    job_name = "greet"
    config_model = GreetConfig
    needs_spark = False
    job_class: type[GreetJob] = GreetJob

    def create_job(self, **kwargs: Any) -> GreetJob:
        self.parse_job_config(**kwargs)
        return self.job_class(**self.job_services())


def main(**kwargs: Any) -> Any:
    return GreetJobFactory(**kwargs).run(**kwargs)


def test_main_parses_the_config_and_runs_the_job() -> None:
    publisher = RecordingEventPublisher()

    results = main(greet_job='{"name": "ada", "times": 2}', event_publisher=publisher)

    assert results == {"greeting": "hi ada hi ada"}
    assert publisher.names == ["job_started", "job_succeeded"]


def test_config_may_be_a_dict_or_passed_as_job_config() -> None:
    assert main(job_config={"name": "bo"}) == {"greeting": "hi bo"}


def test_missing_config_names_the_argument() -> None:
    with pytest.raises(ConfigError, match="pass --greet_job '<json>'"):
        main()


def test_unknown_main_argument_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(UsageError, match="unknown argument 'has_sprak'; did you mean 'has_spark'"):
        main(greet_job={"name": "x"}, has_sprak=False)


def test_invalid_config_raises_before_the_job_is_built() -> None:
    with pytest.raises(ConfigError) as raised:
        main(greet_job={"nme": "x"})

    assert raised.value.exit_code == 2
    assert "unknown key 'nme': did you mean 'name'?" in str(raised.value)
    assert "'name': required field is missing" in str(raised.value)


def test_a_job_that_needs_spark_refuses_has_spark_false() -> None:
    class SparkFactory(GreetJobFactory):
        needs_spark = True

    with pytest.raises(UsageError, match="needs Spark: pass --has_spark true"):
        SparkFactory(greet_job={"name": "x"}, has_spark="false")


def test_asking_for_spark_with_has_spark_false_is_refused_without_importing_pyspark() -> None:
    factory = GreetJobFactory(greet_job={"name": "x"}, has_spark=False)

    with pytest.raises(UsageError, match="--has_spark is false"):
        factory.get_spark_session()


def test_create_job_must_parse_the_config() -> None:
    class Lazy(GreetJobFactory):
        def create_job(self, **kwargs: Any) -> GreetJob:
            return GreetJob()

    with pytest.raises(JobContractError, match=r"must call self\.parse_job_config\(\)"):
        Lazy(greet_job={"name": "x"}).run(greet_job={"name": "x"})


def test_a_config_field_that_execute_job_does_not_accept_is_a_contract_error() -> None:
    class Strict(GreetJobFactory):
        job_class = StrictGreetJob

    with pytest.raises(JobContractError, match=r"does not accept 'api_token'"):
        Strict(greet_job={"name": "x"}).run(greet_job={"name": "x"})


def test_valid_params_passes_everything_to_a_kwargs_job() -> None:
    def execute_job(name: str, **kwargs: Any) -> None: ...

    assert valid_params(execute_job, {"name": "a", "extra": 1}) == {"name": "a", "extra": 1}


def test_valid_params_rejects_unknown_keys_by_name() -> None:
    def execute_job(name: str) -> None: ...

    with pytest.raises(
        JobContractError, match=r"does not accept 'colour', 'size'; it accepts: name"
    ):
        valid_params(execute_job, {"name": "a", "size": 1, "colour": "red"})


def test_valid_params_reports_missing_required_parameters() -> None:
    def execute_job(name: str, day: int, optional: int = 0) -> None: ...

    with pytest.raises(JobContractError, match=r"needs 'day'"):
        valid_params(execute_job, {"name": "a"})


def test_secrets_reach_the_job_but_not_the_events() -> None:
    publisher = RecordingEventPublisher()
    seen: dict[str, Any] = {}

    class Spy(GreetJob):
        def execute_job(self, name: str, times: int, **kwargs: Any) -> dict[str, Any]:
            seen.update(kwargs)
            return {}

    class SpyFactory(GreetJobFactory):
        job_class = Spy

    kwargs = {"greet_job": {"name": "x", "api_token": "tok-123"}, "event_publisher": publisher}
    SpyFactory(**kwargs).run(**kwargs)

    assert seen["api_token"] == "tok-123"
    # ... while the published config shows it redacted.
    assert publisher.of("job_started")[0].payload["config"]["api_token"] == "***"
    assert "tok-123" not in "".join(event.to_json() for event in publisher.events)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("no", False), (False, False)],
)
def test_parse_bool_accepts_the_usual_spellings(text: object, expected: bool) -> None:
    assert parse_bool(text, name="has_spark") is expected


def test_parse_bool_names_the_argument_and_the_accepted_values() -> None:
    with pytest.raises(UsageError, match="--has_spark must be true or false, got 'maybe'"):
        parse_bool("maybe", name="has_spark")

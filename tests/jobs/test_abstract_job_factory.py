"""The factory: kwargs, config parsing, valid_params, and when Spark is asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dwh.config import JobConfig
from dwh.errors import ConfigError, JobContractError, UsageError
from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import AbstractJobFactory, valid_params
from dwh.jobs.run_options import RunOptions
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


class SparkGreetFactory(GreetJobFactory):
    needs_spark = True


def test_a_job_that_needs_spark_refuses_has_spark_false() -> None:
    kwargs = {"greet_job": {"name": "x"}, "has_spark": "false"}
    with pytest.raises(UsageError, match="needs Spark: pass --has_spark true") as raised:
        SparkGreetFactory(**kwargs).run(**kwargs)

    assert str(raised.value) == "job 'greet' needs Spark: pass --has_spark true (got false)"
    assert raised.value.exit_code == 2


def test_has_spark_false_for_a_spark_job_is_reported_with_every_config_problem() -> None:
    kwargs = {"greet_job": {"nme": "x", "times": "2"}, "has_spark": False}
    with pytest.raises(ConfigError) as raised:
        SparkGreetFactory(**kwargs).run(**kwargs)

    assert raised.value.exit_code == 2
    assert raised.value.problems[0] == "the job needs Spark: pass --has_spark true (got false)"
    said = str(raised.value)
    assert "(4 problems)" in said
    assert "unknown key 'nme'" in said
    assert "'name': required field is missing" in said
    assert "'times': Input should be a valid integer" in said


def test_the_config_is_parsed_once_and_a_config_file_is_read_once(tmp_path: Path) -> None:
    config_file = tmp_path / "greet.json"
    config_file.write_text('{"name": "ada"}')

    class ReadOnce(GreetJobFactory):
        def create_job(self, **kwargs: Any) -> GreetJob:
            config_file.unlink()  # a second read of @PATH would now fail
            config = self.parse_job_config(**kwargs)
            assert config is self.config
            return self.job_class(**self.job_services())

    kwargs = {"greet_job": f"@{config_file}"}
    assert ReadOnce(**kwargs).run(**kwargs) == {"greeting": "hi ada"}


def test_a_different_config_is_parsed_again() -> None:
    factory = GreetJobFactory(greet_job={"name": "a"})
    first = factory.parse_job_config(greet_job='{"name": "a"}')

    assert factory.parse_job_config(greet_job='{"name": "a"}') is first
    assert factory.parse_job_config(greet_job='{"name": "b"}').name == "b"


def test_job_params_pass_the_job_s_own_fields_not_the_framework_s() -> None:
    factory = GreetJobFactory(greet_job={"name": "a"})
    config = factory.parse_job_config(
        greet_job={"name": "a", "triggered_by_job": "up", "triggered_by_run_id": "r1"}
    )

    assert factory.job_params(config) == {"name": "a", "times": 1, "api_token": None}
    assert factory.run_context().triggered_by_job == "up"


def test_a_strict_execute_job_runs_when_triggered() -> None:
    class Exact(GreetJob):
        def execute_job(  # type: ignore[override]
            self, name: str, times: int, api_token: str | None
        ) -> dict[str, Any]:
            return {"greeting": name * times}

    class ExactFactory(GreetJobFactory):
        job_class = Exact

    kwargs = {"greet_job": {"name": "x", "times": 2, "triggered_by_job": "up"}}
    assert ExactFactory(**kwargs).run(**kwargs) == {"greeting": "xx"}


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
def test_has_spark_accepts_the_usual_spellings(text: object, expected: bool) -> None:
    options = RunOptions.from_kwargs({"has_spark": text}, config_keys=("greet_job",))
    assert options.has_spark is expected


def test_has_spark_names_the_argument_and_the_accepted_values() -> None:
    with pytest.raises(UsageError, match="--has_spark must be true or false, got 'maybe'"):
        GreetJobFactory(greet_job={"name": "x"}, has_spark="maybe")


def test_run_options_take_a_numeric_run_id_and_refuse_a_wrong_type() -> None:
    keys = ("greet_job", "job_config")
    assert RunOptions.from_kwargs({"run_id": 42}, config_keys=keys).run_id == "42"
    assert RunOptions.from_kwargs({"run_id": ""}, config_keys=keys).run_id is None
    with pytest.raises(UsageError, match=r"^--events input should be a valid string, got 3$"):
        RunOptions.from_kwargs({"events": 3}, config_keys=keys)

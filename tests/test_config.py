"""Config validation: every error kind names the field, what was expected and what was given."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from dwh.config import MAX_CONFIG_BYTES, JobConfig, config_schema, parse_config
from dwh.errors import ConfigError


class Window(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    days: int
    start_date: dt.date | None = None


class ImagesConfig(JobConfig):
    transform_output_path: str
    base_path: str
    lookback_days: int = 30
    window: Window | None = None
    db_password: str | None = None


def problems(raw: object) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(ImagesConfig, raw, job="images")  # type: ignore[arg-type]
    assert raised.value.exit_code == 2
    assert raised.value.job == "images"
    return raised.value.problems


def test_valid_text_and_dict_give_the_same_config() -> None:
    data = {"transform_output_path": "/in", "base_path": "/out", "window": {"days": 2}}

    from_text = parse_config(ImagesConfig, json.dumps(data), job="images")
    from_dict = parse_config(ImagesConfig, data, job="images")

    assert from_text == from_dict
    assert from_text.window == Window(days=2)
    assert from_text.lookback_days == 30


def test_at_path_reads_the_config_from_a_file(tmp_path: Path) -> None:
    data = {"transform_output_path": "/in", "base_path": "/out", "db_password": "s3cret!"}
    (tmp_path / "images.json").write_text(json.dumps(data, indent=2), encoding="utf-8")

    from_file = parse_config(ImagesConfig, f"@{tmp_path / 'images.json'}", job="images")

    assert from_file == parse_config(ImagesConfig, data, job="images")
    assert problems(f"@{tmp_path / 'other.json'}") == [
        f"config file {tmp_path / 'other.json'} does not exist"
    ]


def test_malformed_json_gives_line_and_column() -> None:
    assert problems('{"base_path": "/out",\n "x" 1}') == [
        "config is not valid JSON: Expecting ':' delimiter (line 2, column 6)"
    ]


def test_truncated_json() -> None:
    assert problems('{"base_path": "/o') == [
        "config is not valid JSON: Unterminated string starting at (line 1, column 15)"
    ]


@pytest.mark.parametrize("raw", ["", "   \n"])
def test_empty_config(raw: str) -> None:
    assert problems(raw) == ['config is empty; expected a JSON object such as {"key": ...}']


@pytest.mark.parametrize(
    ("raw", "kind"),
    [("[1, 2]", "an array"), ('"text"', "a string"), ("42", "a number"), ("null", "null")],
)
def test_json_that_is_not_an_object(raw: str, kind: str) -> None:
    assert problems(raw) == [f"config must be a JSON object, got {kind}"]


def test_missing_field() -> None:
    assert problems({"base_path": "/out"}) == ["'transform_output_path': required field is missing"]


def test_wrong_type_names_expected_and_given() -> None:
    [problem] = problems(
        {"transform_output_path": "/in", "base_path": "/out", "lookback_days": "30"}
    )
    assert problem == "'lookback_days': Input should be a valid integer; got '30'"


def test_unknown_key_suggests_the_closest_valid_key() -> None:
    [problem] = problems(
        {"transfrom_output_path": "/in", "transform_output_path": "/in", "base_path": "/out"}
    )
    assert problem.startswith(
        "unknown key 'transfrom_output_path': did you mean 'transform_output_path'?"
    )
    assert "(valid keys: base_path, db_password, lookback_days," in problem


def test_unknown_nested_key_suggests_from_the_nested_model() -> None:
    [problem] = problems(
        {"transform_output_path": "/in", "base_path": "/out", "window": {"days": 1, "dayz": 2}}
    )
    assert (
        problem == "unknown key 'window.dayz': did you mean 'days'? (valid keys: days, start_date)"
    )


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"base_path": 3, "lookback": 1})
    assert len(found) == 3
    assert any("unknown key 'lookback': did you mean 'lookback_days'?" in p for p in found)


def test_invalid_date_names_the_nested_path() -> None:
    [problem] = problems(
        {
            "transform_output_path": "/i",
            "base_path": "/o",
            "window": {"days": 1, "start_date": "2026-02-30"},
        }
    )
    assert problem.startswith("'window.start_date': Input should be a valid date")
    assert problem.endswith("got '2026-02-30'")


def test_secret_values_are_not_echoed_in_errors() -> None:
    [problem] = problems({"transform_output_path": "/i", "base_path": "/o", "db_password": 12345})
    assert "12345" not in problem
    assert problem.endswith("got '***'")


SECRET = "Hunter2-DbPw-7Q"


@pytest.mark.parametrize(
    "bad_value",
    [
        {"k": "b" * 49, "password": SECRET},  # nested under a secret key, past the cut
        ["b" * 60, f"postgres://ada:{SECRET}@db/x"],  # a URL password in a list
        f"{'b' * 70} {SECRET}",  # the config's own password, repeated in another field
    ],
    ids=["nested-secret-key", "url-password", "repeated-password"],
)
def test_no_prefix_of_a_secret_is_echoed_however_deep(bad_value: object) -> None:
    """The bad value is redacted before it is shortened, so no first letters survive."""
    raw = {"transform_output_path": "/i", "base_path": "/o", "db_password": SECRET}
    [problem] = problems({**raw, "lookback_days": bad_value})

    assert problem.startswith("'lookback_days': Input should be a valid integer")
    assert not any(SECRET[:n] in problem for n in range(4, len(SECRET) + 1))


def test_duplicate_keys_are_refused() -> None:
    assert problems('{"base_path": "/a", "base_path": "/b"}') == [
        "config has the key 'base_path' twice"
    ]


def test_config_over_the_size_limit_is_refused_before_parsing() -> None:
    raw = json.dumps({"base_path": "x" * MAX_CONFIG_BYTES})
    [problem] = problems(raw)
    assert problem.endswith("the limit is 1,048,576 bytes (1 MiB)")


def test_non_serialisable_dict_is_refused() -> None:
    [problem] = problems({"base_path": {1, 2}})
    assert problem.startswith("config is not JSON-serialisable")


def test_configs_are_immutable() -> None:
    config = parse_config(ImagesConfig, {"transform_output_path": "/i", "base_path": "/o"}, job="i")
    with pytest.raises(ValueError, match="frozen"):
        config.base_path = "/elsewhere"  # type: ignore[misc]


def test_schema_is_json_schema_with_required_fields_and_defaults() -> None:
    schema = config_schema(ImagesConfig)

    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["transform_output_path", "base_path"]
    assert schema["properties"]["lookback_days"]["default"] == 30
    json.dumps(schema)  # it is plain JSON

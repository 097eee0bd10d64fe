"""``dwh list``, ``show``, ``schema`` and ``validate``: the jobs and their configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOOP_MODULE = "dwh.jobs.noop.noop_job_factory"


def test_list_shows_every_registered_job(invoke) -> None:
    result = invoke("list")

    assert result.exit_code == 0
    for name in ("noop", "filter_images", "transform_images"):
        assert name in result.stdout
    assert NOOP_MODULE in result.stdout
    assert "Runs the job lifecycle without Spark" in result.stdout


def test_list_json_is_for_scripts(invoke) -> None:
    jobs = json.loads(invoke("list", "--json").stdout)

    noop = next(job for job in jobs if job["name"] == "noop")
    assert noop["module"] == NOOP_MODULE
    assert noop["config_arg"] == "--noop_job"
    assert noop["description"].startswith("Runs the job lifecycle without Spark")


def test_show_has_docstring_fields_and_examples(invoke) -> None:
    result = invoke("show", "filter_images")

    assert result.exit_code == 0
    assert "Drops duplicate images" in result.stdout
    for field in ("base_path", "timezone", "lookback_days", "run_date"):
        assert field in result.stdout
    assert "example demo.json" in result.stdout
    assert "(required)" in result.stdout


def test_show_lists_the_job_s_fields_first_and_the_framework_s_apart(invoke) -> None:
    out = invoke("show", "noop").stdout

    framework = out.index("framework fields (set by dwh when a trigger starts the run")
    assert out.index("config fields") < out.index("message") < framework
    assert out.index("fail_with") < framework < out.index("triggered_by_job")
    assert out.index("triggered_by_job") < out.index("triggered_by_run_id")
    assert out.count("triggered_by_job") == 1


def test_show_json_carries_schema_and_examples(invoke) -> None:
    data = json.loads(invoke("show", "filter_images", "--json").stdout)

    assert data["needs_spark"] is True
    assert set(data["schema"]["required"]) == {"base_path", "timezone", "transform_output_path"}
    assert "demo.json" in data["examples"]


@pytest.mark.parametrize("command", [["show", "filter_image"], ["schema", "filter_image"]])
def test_an_unknown_job_exits_2_with_suggestions(invoke, command: list[str]) -> None:
    result = invoke(*command)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, "one line, no traceback"
    assert "unknown job 'filter_image'; did you mean 'filter_images'" in result.stderr
    assert "known jobs:" in result.stderr


def test_schema_prints_the_json_schema(invoke) -> None:
    schema = json.loads(invoke("schema", "noop").stdout)

    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) >= {"message", "sleep_seconds", "fail_with"}


def test_schema_lists_the_job_s_fields_first_and_marks_the_framework_s(invoke) -> None:
    properties = json.loads(invoke("schema", "filter_images").stdout)["properties"]

    names = list(properties)
    assert names[-3:] == ["triggered_by_job", "triggered_by_run_id", "output_checks"]
    assert names[0] == "base_path"
    for name in names[-3:]:
        assert properties[name]["x-dwh-framework"] is True
        assert properties[name]["description"].startswith("Framework field")
    for name in names[-3:-1]:
        assert properties[name]["description"].startswith("Framework field, set by a trigger")
    assert not any("x-dwh-framework" in properties[name] for name in names[:-3])


def test_validate_accepts_inline_json_a_file_and_stdin(invoke, tmp_path: Path) -> None:
    config = tmp_path / "noop.json"
    config.write_text('{"message": "hi"}')

    assert invoke("validate", "noop", '{"message": "hi"}').exit_code == 0
    assert invoke("validate", "noop", str(config)).stdout == "valid config for job 'noop'\n"
    assert invoke("validate", "noop", "-", input='{"sleep_seconds": 1}').exit_code == 0


def test_validate_lists_every_problem_and_exits_2(invoke) -> None:
    bad = '{"mesage": "hi", "sleep_seconds": "soon", "fail_with": 3}'

    result = invoke("validate", "noop", bad)

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "dwh: invalid config for job 'noop' (3 problems):"
    assert any("unknown key 'mesage': did you mean 'message'?" in line for line in lines)
    assert any(line.startswith("  - 'sleep_seconds':") for line in lines)
    assert any(line.startswith("  - 'fail_with':") for line in lines)


def test_validate_json_reports_problems_for_scripts(invoke) -> None:
    result = invoke("validate", "noop", '{"sleep_seconds": -1}', "--json")

    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert len(data["problems"]) == 1 and "sleep_seconds" in data["problems"][0]


def test_validate_names_the_argument_when_config_is_neither_json_nor_a_file(invoke) -> None:
    result = invoke("validate", "noop", "no-such-file.json")

    assert result.exit_code == 2
    assert "CONFIG must be inline JSON" in result.stderr
    assert "no file named 'no-such-file.json'" in result.stderr


def test_validate_reports_malformed_json_with_its_position(invoke) -> None:
    result = invoke("validate", "noop", '{"message": }')

    assert result.exit_code == 2
    assert "not valid JSON" in result.stderr and "column" in result.stderr


def test_every_example_config_validates(invoke) -> None:
    jobs = json.loads(invoke("list", "--json").stdout)
    examples = Path(__file__).resolve().parents[2] / "examples" / "configs"
    checked = 0
    for job in jobs:
        for path in sorted((examples / job["name"]).glob("*.json")):
            result = invoke("validate", job["name"], str(path))
            assert result.exit_code == 0, result.stderr
            checked += 1
    assert checked >= 2


def test_a_job_module_that_fails_to_import_is_one_line_exit_2(invoke, contract_jobs) -> None:
    result = invoke("show", "import_error")

    assert result.exit_code == 2
    assert result.stderr == (
        "dwh: error: job module badjobs.import_error.import_error_job_factory failed to "
        "import: RuntimeError: no database at import time\n"
    )


def test_debug_adds_the_traceback(invoke) -> None:
    plain = invoke("validate", "noop", "missing.json")
    debug = invoke("--debug", "validate", "noop", "missing.json")

    assert plain.exit_code == debug.exit_code == 2
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.endswith(plain.stderr)


def test_show_gives_a_default_factory_field_its_real_default(invoke) -> None:
    out = invoke("show", "noop").stdout

    row = next(line for line in out.splitlines() if "output_checks" in line)
    assert "{}" in row
    assert "null" not in row

"""The TUI's non-visual parts: validation, skeletons, commands, files, lifecycle lines."""

from __future__ import annotations

import json
import shlex

import pytest

from dwh.devtools.production import production_commands
from dwh.events import Event
from dwh.jobs.noop.noop_config import NoopConfig
from dwh.registry import find_job
from tui.catalog import JobCatalog, load_detail
from tui.config_files import ConfigLibrary, pretty_json
from tui.history import format_duration, format_time, key_metrics
from tui.keymap import read_keymap
from tui.skeleton import describe_type, skeleton_config
from tui.validation import validate_config


class TestValidation:
    def test_valid_config_has_no_problems(self):
        assert validate_config(NoopConfig, '{"sleep_seconds": 1}', job="noop") == []

    def test_syntax_error_has_line_and_column(self):
        (problem,) = validate_config(NoopConfig, '{\n  "message": "x"\n  "a": 1\n}', job="noop")
        assert (problem.line, problem.column) == (3, 3)
        assert problem.where == "line 3 col 3"
        assert "Expecting ',' delimiter" in problem.message

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", "config is empty"),
            ("   ", "config is empty"),
            ("[1, 2]", "must be a JSON object, got an array"),
            ('{"message": "a", "message": "b"}', "the key 'message' twice"),
        ],
    )
    def test_not_a_config(self, text, expected):
        (problem,) = validate_config(NoopConfig, text, job="noop")
        assert expected in problem.message

    def test_schema_errors_use_the_entry_messages(self):
        problems = validate_config(NoopConfig, '{"sleep_seconds": -1, "mesage": "x"}', job="noop")
        by_path = {p.path: p.message for p in problems}
        assert "greater than or equal to 0" in by_path["sleep_seconds"]
        assert "did you mean 'message'" in by_path["mesage"]
        assert all(p.line == 1 for p in problems)

    def test_strict_like_the_entry(self):
        (problem,) = validate_config(NoopConfig, '{"sleep_seconds": "1"}', job="noop")
        assert problem.path == "sleep_seconds"


class TestSkeleton:
    def test_defaults_and_placeholders(self):
        schema = {
            "properties": {
                "triggered_by_job": {"default": None},
                "path": {"type": "string"},
                "count": {"type": "integer"},
                "ratio": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                "kind": {"enum": ["a", "b"]},
                "flag": {"type": "boolean", "default": True},
                "nested": {"$ref": "#/$defs/Inner"},
            },
            "$defs": {"Inner": {"type": "object", "properties": {"x": {"type": "array"}}}},
        }
        assert skeleton_config(schema) == {
            "path": "",
            "count": 0,
            "ratio": 0,
            "kind": "a",
            "flag": True,
            "nested": {"x": []},
        }

    def test_describe_type(self):
        assert describe_type({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "string | null"
        assert describe_type({"type": "array", "items": {"type": "integer"}}) == "array[integer]"
        assert describe_type({"type": "string", "format": "date"}) == "string (date)"


def test_production_commands_round_trip_through_a_shell():
    config = {"path": "s3://b/it's here", "n": 2}
    commands = production_commands(
        job="filter_images",
        module="dwh.jobs.filter_images.filter_images_job_factory",
        config=config,
        has_spark=True,
    )
    argv = shlex.split(commands.spark_submit)
    assert argv[:4] == [
        "spark-submit",
        "scripts/glue/generic_entry.py",
        "--module_name",
        "dwh.jobs.filter_images.filter_images_job_factory",
    ]
    assert argv[4] == "--filter_images_job"
    assert json.loads(argv[5]) == config
    assert argv[6:] == ["--has_spark", "true"]
    papermill = shlex.split(commands.papermill)
    assert papermill[:2] == ["papermill", "notebooks/run_job.ipynb"]
    assert json.loads(papermill[papermill.index("job_config") + 1]) == config
    assert papermill[-3:] == ["-p", "has_spark", "True"]
    assert commands.job_notebook.startswith("papermill notebooks/filter_images.ipynb")
    assert commands.as_text().count("\n") == 6


def test_job_notebook_command_only_when_the_job_has_a_notebook(tmp_path):
    (tmp_path / "sample.ipynb").write_text("{}")
    with_one = production_commands(
        job="sample", module="m", config={}, has_spark=False, notebooks=tmp_path
    )
    assert (
        with_one.job_notebook
        == "papermill notebooks/sample.ipynb out/sample.ipynb -p job_config '{}'"
    )
    without = production_commands(
        job="noop", module="m", config={}, has_spark=False, notebooks=tmp_path
    )
    assert without.job_notebook is None
    assert "own notebook" not in without.as_text()


def _event(name: str, **payload) -> Event:
    return Event(name, job="noop", run_id="r", payload=payload)


def test_config_library(isolated_home):
    library = ConfigLibrary()
    path = library.save("noop", "my run!", '{"a": 1}')
    assert path.resolve() == isolated_home / ".dwh" / "configs" / "noop" / "my-run.json"
    assert library.names("noop") == ["my-run.json"]
    assert library.load("noop", "my-run.json") == '{"a": 1}\n'
    assert library.names("other") == []
    with pytest.raises(ValueError, match="give the config a name"):
        library.save("noop", " / ", "{}")
    assert pretty_json({"a": 1}) == '{\n  "a": 1\n}\n'


def test_keymap_file(tmp_path):
    path = tmp_path / "keymap.json"
    assert read_keymap(path) == ({}, "")
    path.write_text('{"dwh.run": "f9"}')
    assert read_keymap(path) == ({"dwh.run": "f9"}, "")
    path.write_text('["f9"]')
    assert read_keymap(path)[1].startswith(f"keymap {path} ignored")


def test_history_formatting():
    assert format_duration(None) == ""
    assert format_duration(1.25) == "1.2s"
    assert format_duration(184) == "3m04s"
    assert format_duration(3720) == "1h02m"
    assert format_time("2026-11-25T18:36:16.560Z") == "2026-11-25 18:36:16"
    assert key_metrics({"a": 1, "b": "x" * 40, "c": [1], "d": 2}) == (
        "a=1, b=" + "x" * 21 + "..., c=[1] (+1)"
    )


def test_catalog_details_are_cached_and_errors_are_values():
    catalog = JobCatalog(("dwh.jobs", "tuijobs"))
    jobs = catalog.refresh()
    assert {"noop", "sample", "broken"} <= {job.name for job in jobs}
    noop = catalog.find("noop")
    assert catalog.detail(noop) is catalog.detail(noop)
    broken = load_detail(find_job("broken", ["tuijobs"]))
    assert not broken.usable
    assert "warehouse_driver" in broken.error


def test_event_lines_read_like_a_lifecycle():
    from tui.widgets.lifecycle import event_lines

    def plain(event):
        return [line.plain.strip() for line in event_lines(event)]

    started = Event(
        "job_started",
        job="filter_images",
        run_id="r2",
        payload={"config_hash": "abc"},
        at="2026-11-25T18:30:00.123Z",
        triggered_by_job="transform_images",
        triggered_by_run_id="r1",
    )
    assert plain(started) == [
        "18:30:00.123  ▶ started  filter_images  run r2",
        "triggered by transform_images/r1",
        "config hash abc",
    ]
    phase = Event("phase_finished", job="j", run_id="r", payload={"phase": "load", "rows": None})
    (line,) = plain(phase)
    assert "✓ phase  load" in line
    assert line.endswith("? rows")
    cancelled = _event("job_failed", error_message="KeyboardInterrupt", cancelled=True)
    assert [line.split("  ", 1)[-1] for line in plain(cancelled)] == [
        "■ cancelled",
        "KeyboardInterrupt",
        "on_failure ran",
    ]
    other = plain(_event("something_new", value=1))
    assert other[0].endswith('• something_new  {"value": 1}')

"""The parameters form without a browser: its fields are the schema's, its messages the CLI's."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path
from typing import Any, Literal

import ipywidgets as w
import pytest
from click.testing import CliRunner
from pydantic import Field

from dwh.cli.app import cli
from dwh.config import JobConfig, config_schema
from dwh.devtools.production import production_commands
from dwh.errors import ConfigError, ExitCode, UsageError
from dwh.events import Event, EventName
from dwh.notebook import ConfigForm, FieldKind, field_specs, form, prepare_run, preview
from dwh.notebook._widgets import RunView, preview_block
from dwh.registry import discover_jobs, example_configs, find_job, load_factory
from dwh.spark.status import server_status

JOBS = [job.name for job in discover_jobs()]


def schema_of(job: str) -> dict[str, Any]:
    return config_schema(load_factory(find_job(job)).config_model)


def validate_cli(job: str, config: dict[str, Any]) -> Any:
    return CliRunner().invoke(cli, ["validate", job, json.dumps(config)])


@pytest.mark.parametrize("job", JOBS)
def test_fields_are_the_schema_fields_in_order_with_the_same_required_set(job: str) -> None:
    schema = schema_of(job)
    built = form(job, namespace={})

    assert [spec.name for spec in built.specs] == list(schema["properties"])
    assert list(built.inputs) == list(schema["properties"])
    assert {spec.name for spec in built.specs if spec.required} == set(schema.get("required", []))
    # One input each, in the form's layout, in the same order.
    shown = [child for child in built.widget.children if child in built.inputs.values()]
    assert shown == list(built.inputs.values())


def test_filter_images_widgets_defaults_and_help() -> None:
    built = form("filter_images", namespace={})
    inputs = built.inputs

    assert type(inputs["base_path"]) is w.Text
    assert type(inputs["run_date"]) is w.DatePicker
    assert inputs["run_date"].value is None
    lookback = inputs["lookback_days"]
    assert type(lookback) is w.BoundedIntText
    assert (lookback.min, lookback.value) == (0, 30)
    description = schema_of("filter_images")["properties"]["timezone"]["description"]
    assert description in inputs["timezone"].tooltip
    assert inputs["timezone"].description == "timezone *"


def test_noop_number_box_has_both_schema_bounds() -> None:
    built = form("noop", namespace={})
    sleep = built.inputs["sleep_seconds"]

    assert type(sleep) is w.BoundedFloatText
    assert (sleep.min, sleep.max, sleep.value) == (0.0, 3600.0, 0.0)
    assert built.inputs["message"].value == "hello"
    assert built.job_config == {"message": "hello", "sleep_seconds": 0.0}


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class EveryKindConfig(JobConfig):
    name: str = Field(description="A name.")
    mode: Literal["fast", "safe"] = "safe"
    colour: Colour | None = None
    enabled: bool = True
    day: dt.date
    retries: int = Field(3, ge=0, le=10)
    limit: int | None = None
    ratio: float = 0.5
    tags: list[str] = Field(default_factory=list)
    options: dict[str, int] = Field(default_factory=dict)


def test_each_schema_type_gets_its_kind() -> None:
    specs = {spec.name: spec for spec in field_specs(config_schema(EveryKindConfig))}

    kinds = {name: spec.kind for name, spec in specs.items()}
    assert kinds == {
        "triggered_by_job": FieldKind.TEXT,
        "triggered_by_run_id": FieldKind.TEXT,
        "output_checks": FieldKind.JSON,
        "name": FieldKind.TEXT,
        "mode": FieldKind.CHOICE,
        "colour": FieldKind.CHOICE,
        "enabled": FieldKind.BOOLEAN,
        "day": FieldKind.DATE,
        "retries": FieldKind.INTEGER,
        "limit": FieldKind.INTEGER,
        "ratio": FieldKind.NUMBER,
        "tags": FieldKind.JSON,
        "options": FieldKind.JSON,
    }
    assert specs["mode"].choices == ("fast", "safe")
    assert specs["colour"].choices == ("red", "blue")
    assert (specs["retries"].minimum, specs["retries"].maximum) == (0, 10)
    assert specs["limit"].numeric_text and not specs["retries"].numeric_text
    assert specs["name"].description == "A name."


def test_empty_optional_inputs_leave_the_key_out_and_json_text_is_decoded() -> None:
    specs = {spec.name: spec for spec in field_specs(config_schema(EveryKindConfig))}

    assert specs["limit"].to_config("") == (False, None)
    assert specs["limit"].to_config("7") == (True, 7)
    assert specs["colour"].to_config("(default)") == (False, None)
    assert specs["day"].to_config(None) == (False, None)
    assert specs["day"].to_config(dt.date(2026, 11, 24)) == (True, "2026-11-24")
    assert specs["tags"].to_config('["a", "b"]') == (True, ["a", "b"])
    # Not JSON: passed on as text, so the model names the field and the value.
    assert specs["tags"].to_config("[a") == (True, "[a")
    assert specs["name"].to_config("") == (True, "")


BAD_VALUES = [
    {"timezone": "Mars/Olympus"},
    {"timezone": "", "base_path": ""},
    {"transform_output_path": "", "triggered_by_job": "transform_images"},
]


@pytest.mark.parametrize("values", BAD_VALUES)
def test_a_bad_value_gives_the_exact_dwh_validate_text_and_disables_run(
    values: dict[str, Any],
) -> None:
    namespace: dict[str, Any] = {}
    built = form(
        "filter_images", example_configs("filter_images")["demo.json"], namespace=namespace
    )
    assert namespace["job_config"] == built.job_config
    before = dict(namespace)

    built.set(**values)

    result = validate_cli("filter_images", built.job_config)
    assert result.exit_code == 2
    assert "dwh: " + built.message + "\n" == result.stderr
    assert built.run_button.disabled
    assert built.message in built.problems.value.replace("&#x27;", "'")
    # An invalid config is not written to the notebook's job_config.
    assert namespace == before


def test_an_unknown_key_in_the_starting_config_is_reported_like_the_cli() -> None:
    config = {**example_configs("filter_images")["demo.json"], "lookback_dayz": 3}
    with pytest.raises(ConfigError) as caught:
        form("filter_images", config, namespace={})

    result = validate_cli("filter_images", config)
    assert result.stderr == "dwh: " + "\n".join(caught.value.report()) + "\n"
    assert "did you mean 'lookback_days'" in result.stderr


def test_loading_an_example_fills_every_input_and_writes_job_config() -> None:
    namespace: dict[str, Any] = {}
    built = form("filter_images", namespace=namespace)
    assert built.run_button.disabled
    example = example_configs("filter_images")["demo.json"]

    built.load(example)

    assert built.job_config == example
    assert namespace["job_config"] == example
    assert not built.run_button.disabled
    assert built.message == ""
    expected = production_commands(
        job="filter_images",
        module="dwh.jobs.filter_images.filter_images_job_factory",
        config=example,
        has_spark=True,
    )
    assert built.commands.value == expected.as_text()


def test_json_text_from_papermill_starts_the_form() -> None:
    text = json.dumps(example_configs("filter_images")["triggered.json"])
    built = form("filter_images", text, namespace={})

    assert built.inputs["triggered_by_job"].value == "transform_images"
    assert built.inputs["run_date"].value is None
    assert built.job_config == {**json.loads(text), "lookback_days": 30}


def test_run_calls_main_and_shows_events_metrics_and_status() -> None:
    built = form("noop", {"message": "from the form"}, namespace={})

    run = built.run()

    assert run is not None and run.succeeded
    assert built.last_run is run
    assert run.metrics["message"] == "from the form"
    assert "job &#x27;noop&#x27; succeeded" in built.view.status.value
    assert "from the form" in built.view.metrics.value
    assert built.view.events.value.count("phase_finished") == 3
    assert not built.run_button.disabled


def test_a_failing_run_shows_the_one_line_error() -> None:
    built = form("noop", {"fail_with": "disk full"}, namespace={})

    run = built.run()

    assert run is not None and not run.succeeded
    status = built.view.status.value
    assert "job &#x27;noop&#x27; failed" in status
    assert "disk full" in status
    assert "\n" not in status
    assert built.view.metrics.value == ""


def test_spark_progress_events_become_one_bar_per_stage() -> None:
    view = RunView()
    view.start("filter_images", "r1")

    def progress(stage: int, done: int, total: int) -> Event:
        payload = {
            "stage_id": stage,
            "tasks_done": done,
            "tasks_running": total - done,
            "tasks_total": total,
            "tasks_failed": 0,
        }
        return Event(EventName.SPARK_PROGRESS, "filter_images", "r1", payload)

    view.on_event(progress(0, 1, 4))
    view.on_event(progress(1, 0, 2))
    view.on_event(progress(0, 4, 4))

    bars = list(view.stages.children)
    assert [(bar.description, bar.value, bar.max) for bar in bars] == [
        ("stage 0", 4, 4),
        ("stage 1", 0, 2),
    ]
    assert bars[0].bar_style == "success"
    # Progress is not an event row.
    assert "spark_progress" not in view.events.value


def test_form_is_displayable_as_a_widget() -> None:
    built = ConfigForm("noop", namespace={})
    bundle = built._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


@pytest.mark.parametrize(
    ("job", "config"),
    [
        ("noop", {"sleep_seconds": -1}),
        ("noop", {"sleep_seconds": 4000}),
        (
            "filter_images",
            {**example_configs("filter_images")["demo.json"], "run_date": "2026-13-01"},
        ),
    ],
)
def test_a_value_an_input_cannot_hold_is_refused_not_changed(
    job: str, config: dict[str, Any]
) -> None:
    with pytest.raises(ConfigError) as caught:
        form(job, config, namespace={})

    result = validate_cli(job, config)
    assert result.stderr == "dwh: " + "\n".join(caught.value.report()) + "\n"


WRITER_JOBS = Path(__file__).resolve().parents[1] / "tui" / "fixture_jobs"


@pytest.fixture
def writer_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``writer`` job (no Spark; two Parquet part files written with pyarrow)."""
    monkeypatch.syspath_prepend(str(WRITER_JOBS))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "previewjobs")


@pytest.mark.usefixtures("writer_jobs")
def test_after_a_run_each_output_is_previewed_with_count_schema_and_first_rows(
    tmp_path: Path,
) -> None:
    target = tmp_path / "written"
    built = form("writer", {"output_path": str(target), "rows": 42}, namespace={})

    run = built.run()

    assert run is not None and run.succeeded, run and run.summary()
    assert "without Spark" in built.view.status.value
    (block,) = built.view.previews.children
    assert "dwh-run-preview" in block._dom_classes
    text = block.value
    assert f"Preview: output_path <small>{target}</small>" in text
    assert "42 rows (parquet); the first 10 shown" in text
    assert "n: int64, label: string" in text
    # The header row and the first ten rows of the output, in order.
    assert text.count("<tr>") == 1 + 10
    assert "<th style='text-align:left;padding:2px 8px'>label</th>" in text
    assert "row 0" in text and "row 9" in text and "row 10<" not in text
    # The same numbers as dwh.notebook.preview, the function the block shows.
    frame = preview(str(target), limit=10)
    assert frame.attrs["row_count"] == 42 and list(frame["n"]) == list(range(10))

    # A second run replaces the previews; a failing one leaves none.
    built.set(rows=3)
    built.run()
    (block,) = built.view.previews.children
    assert "3 rows (parquet); the first 3 shown" in block.value
    target.rename(tmp_path / "moved")
    target.write_text("not a folder")  # the next run fails: it cannot make the folder
    failed = built.run()
    assert failed is not None and not failed.succeeded
    assert built.view.previews.children == ()


def test_an_output_that_cannot_be_previewed_shows_the_one_line_reason(tmp_path: Path) -> None:
    block = preview_block("output_path", str(tmp_path / "gone"))

    assert "Preview: output_path" in block.value
    assert "PreviewTargetError: " in block.value
    assert "gone" in block.value
    assert "<table>" not in block.value


def test_a_job_without_spark_never_goes_to_the_warm_server() -> None:
    prepared = prepare_run("dwh.jobs.noop.noop_job_factory", {"message": "hi"}, warm=True)

    assert prepared.spark_remote is None and not prepared.server_started
    assert prepared.where == "without Spark"
    assert not server_status().running  # warm=True started nothing


def test_spark_remote_and_warm_together_are_refused_with_one_line() -> None:
    with pytest.raises(UsageError) as caught:
        prepare_run(
            "dwh.jobs.noop.noop_job_factory",
            {"message": "hi"},
            spark_remote="sc://localhost:15002",
            warm=True,
        )
    assert str(caught.value) == (
        "pass spark_remote or warm, not both (got spark_remote='sc://localhost:15002', warm=True)"
    )
    assert caught.value.exit_code == ExitCode.USAGE

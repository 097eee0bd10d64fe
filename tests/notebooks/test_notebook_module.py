"""dwh.notebook in-process, with the noop job: validation, the run, the result file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbhelpers import FILTER_IMAGES, NOOP, NOTEBOOKS

from dwh.errors import ConfigError, JobModuleError, ModuleRefusedError, UsageError
from dwh.events import Event
from dwh.notebook import (
    RESULT_VERSION,
    PreparedRun,
    event_rows,
    metric_rows,
    plot_counts,
    prepare_run,
    run_job,
    write_result,
)
from dwh.notebook.outputs import main as notebook_main


def test_a_dict_and_json_text_prepare_the_same_run() -> None:
    from_dict = prepare_run(NOOP, {"message": "hi"}, has_spark=False, run_id="r-1")
    from_text = prepare_run(NOOP, '{"message": "hi"}', has_spark="false", run_id="r-1")
    assert from_dict == from_text
    assert from_dict.job == "noop"
    assert from_dict.has_spark is False


def test_has_spark_defaults_to_what_the_job_needs() -> None:
    assert prepare_run(NOOP, {}).has_spark is False
    assert (
        prepare_run(
            FILTER_IMAGES, {"base_path": "b", "timezone": "UTC", "transform_output_path": "t"}
        ).has_spark
        is True
    )


def test_bad_config_raises_the_config_error_the_command_line_prints() -> None:
    with pytest.raises(ConfigError) as caught:
        prepare_run(NOOP, '{"mesage": "hi", "sleep_seconds": "2"}')
    assert str(caught.value) == (
        "invalid config for job 'noop' (2 problems): [1] 'sleep_seconds': Input should be a valid "
        "number; got '2' [2] unknown key 'mesage': did you mean 'message'? (valid keys: "
        "fail_with, message, output_checks, sleep_seconds, triggered_by_job, triggered_by_run_id)"
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, "no config given"),
        ("", "config is empty"),
        ("{'message': 'hi'}", "config is not valid JSON"),
        ("__import__('os')", "config is not valid JSON"),
        ("[1, 2]", "config must be a JSON object, got an array"),
    ],
)
def test_config_text_is_parsed_as_json_never_evaluated(config: str | None, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        prepare_run(NOOP, config)


def test_a_spark_job_without_spark_is_refused_before_anything_runs() -> None:
    config = {"base_path": "b", "timezone": "UTC", "transform_output_path": "t"}
    with pytest.raises(UsageError, match="needs Spark"):
        prepare_run(FILTER_IMAGES, config, has_spark=False)
    with pytest.raises(UsageError, match="must be true or false"):
        prepare_run(FILTER_IMAGES, config, has_spark="maybe")


def test_modules_outside_the_job_packages_are_refused() -> None:
    with pytest.raises(ModuleRefusedError, match="outside the allowed packages"):
        prepare_run("os.path", {})
    with pytest.raises(JobModuleError, match=r"no job module named dwh\.jobs\.nope"):
        prepare_run("dwh.jobs.nope.nope_job_factory", {})


def test_a_successful_run_has_results_events_and_a_summary() -> None:
    run = run_job(NOOP, {"message": "hi"}, run_id="r-ok")
    assert run.succeeded
    assert run.results == {"message": "hi", "phases": 3}
    assert [e.event for e in run.events] == [
        "job_started",
        "phase_finished",
        "phase_finished",
        "phase_finished",
        "job_succeeded",
    ]
    assert {e.run_id for e in run.events} == {"r-ok"}
    assert run.summary().startswith("job 'noop' succeeded in ")
    assert run.spark is None
    run.raise_for_failure()  # does nothing on success


def test_without_a_run_id_each_execution_gets_a_fresh_one() -> None:
    prepared = prepare_run(NOOP, {})
    assert prepared.execute().run_id != prepared.execute().run_id


def test_a_failed_run_keeps_the_job_error_until_asked_to_raise_it() -> None:
    run = run_job(NOOP, {"fail_with": "disk on fire"})
    assert not run.succeeded
    assert run.results is None
    assert run.events[-1].event == "job_failed"
    assert run.events[-1].payload["error_message"] == "RuntimeError: disk on fire"
    assert run.summary().endswith("RuntimeError: disk on fire")
    with pytest.raises(RuntimeError, match="disk on fire") as caught:
        run.raise_for_failure()
    assert caught.value is run.error


def test_secrets_are_redacted_in_what_a_notebook_shows() -> None:
    prepared = PreparedRun(
        module_name=NOOP,
        job="noop",
        config={"api_token": "s3cr3t", "message": "hi"},
        has_spark=False,
        run_id=None,
        packages=("dwh.jobs",),
    )
    assert "s3cr3t" not in repr(prepared)
    assert '"api_token": "***"' in repr(prepared)


def test_event_rows_make_one_row_per_event() -> None:
    run = run_job(NOOP, {"fail_with": "boom"})
    rows = event_rows(run.events)
    assert [row["event"] for row in rows] == [e.event for e in run.events]
    assert [row["phase"] for row in rows if row["event"] == "phase_finished"] == [
        "extract",
        "transform",
    ]
    assert rows[-1]["detail"] == "RuntimeError: boom"
    assert set(rows[0]) == {"at", "event", "phase", "rows", "seconds", "spark", "detail"}


def test_event_rows_fold_spark_progress_into_the_phase_it_ran_in() -> None:
    def progress(stage: int, done: int, total: int, failed: int = 0) -> Event:
        fields = {"stage_id": stage, "tasks_done": done, "tasks_running": total - done}
        return Event(
            "spark_progress", "j", "r", {**fields, "tasks_total": total, "tasks_failed": failed}
        )

    events = [
        Event("job_started", "j", "r", {"config_hash": "h"}),
        progress(0, 1, 4),
        progress(0, 4, 4),
        Event("phase_finished", "j", "r", {"phase": "extract", "rows": 10, "seconds": 1.0}),
        progress(1, 8, 8),
        progress(2, 2, 2, failed=1),
        Event("phase_finished", "j", "r", {"phase": "transform", "rows": 9, "seconds": 2.0}),
        Event("phase_finished", "j", "r", {"phase": "load", "rows": 9, "seconds": 0.5}),
        Event("job_succeeded", "j", "r", {"metrics": {}}),
    ]

    rows = event_rows(events)

    assert [(r["event"], r["phase"], r["spark"]) for r in rows] == [
        ("job_started", None, ""),
        ("phase_finished", "extract", "1 stage, 4 tasks"),
        ("phase_finished", "transform", "2 stages, 10 tasks (1 failed)"),
        ("phase_finished", "load", ""),
        ("job_succeeded", None, ""),
    ]


def test_the_summary_labels_the_job_time_and_the_call_wall() -> None:
    run = run_job(NOOP, {"message": "hi", "sleep_seconds": 0.05}, run_id="r-times")

    assert run.job_seconds is not None and run.job_seconds > 0
    assert run.summary().startswith(
        f"job 'noop' succeeded in {run.job_seconds:.1f}s job time, {run.seconds:.1f}s call wall "
        "(run r-times): "
    )
    assert run.to_dict()["job_seconds"] == round(run.job_seconds, 3)


def test_metric_rows_keep_the_job_order_and_flatten_nested_values() -> None:
    rows = metric_rows({"output_rows": 3, "input_rows": 5, "paths": {"a": "b"}})
    assert rows == [
        {"metric": "output_rows", "value": 3},
        {"metric": "input_rows", "value": 5},
        {"metric": "paths", "value": '{"a": "b"}'},
    ]


def test_write_result_writes_the_run_as_json(tmp_path: Path) -> None:
    run = run_job(NOOP, {"message": "hi"}, run_id="r-json")
    target = write_result(run, tmp_path / "out" / "result.json")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["result_version"] == RESULT_VERSION
    assert data["status"] == "succeeded"
    assert data["results"] == {"message": "hi", "phases": 3}
    assert data["run_id"] == "r-json"
    assert data["module_name"] == NOOP
    assert [e["event"] for e in data["events"]][-1] == "job_succeeded"
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_write_result_refuses_a_failed_run(tmp_path: Path) -> None:
    run = run_job(NOOP, {"fail_with": "boom"})
    with pytest.raises(ValueError, match="failed; no result is written"):
        write_result(run, tmp_path / "out" / "result.json")
    assert not (tmp_path / "out").exists()


def test_plot_counts_draws_one_labelled_bar_per_key() -> None:
    counts = {"input_rows": 5, "output_rows": 3}
    figure = plot_counts(counts, ["input_rows", "output_rows"], title="t")
    (axes,) = figure.axes
    assert [bar.get_height() for bar in axes.patches] == [5, 3]
    assert [label.get_text() for label in axes.get_xticklabels()] == ["input_rows", "output_rows"]
    assert axes.get_title() == "t"


def test_strip_outputs_turns_a_papermill_output_back_into_its_source(tmp_path: Path) -> None:
    source = NOTEBOOKS / "run_job.ipynb"
    nb = nbformat.read(source, as_version=4)
    injected = nbformat.v4.new_code_cell('# Parameters\nrun_id = "r"\n')
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(2, injected)
    nb.metadata["papermill"] = {"parameters": {"run_id": "r"}}
    for cell in nb.cells:
        cell.metadata["papermill"] = {"status": "completed"}
        if cell.cell_type == "code":
            cell.execution_count = 3
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="/home/me\n")]
    executed = tmp_path / "out.ipynb"
    nbformat.write(nb, executed)

    assert notebook_main(["strip-outputs", "--check", str(executed)]) == 1
    assert executed.read_text(encoding="utf-8") != source.read_text(encoding="utf-8")
    assert notebook_main(["strip-outputs", str(executed)]) == 0
    assert executed.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert notebook_main(["strip-outputs", "--check", str(executed)]) == 0


def test_validating_a_spark_job_imports_no_pyspark() -> None:
    # The first cell of a Spark notebook must stay light: Spark starts only in the run.
    probe = (
        "import sys\n"
        "from dwh.notebook import prepare_run\n"
        f"prepare_run({FILTER_IMAGES!r}, {{'base_path': 'b', 'timezone': 'UTC', "
        "'transform_output_path': 't'}, has_spark=True)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"

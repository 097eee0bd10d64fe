"""notebooks/run_job.ipynb through real papermill and ipykernel, with the noop job (no JVM)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbhelpers import (
    NOOP,
    execute,
    failed_cell,
    first_cell_after_parameters,
    generic_entry,
    output_text,
    papermill_cli,
    read_events,
)
from papermill import PapermillExecutionError

from dwh.runs.store import RunStore


def test_dict_config_runs_the_job_and_writes_the_result(
    tmp_path: Path, run_store: RunStore
) -> None:
    # A dict in parameters= is what `papermill -y` or `-f params.yaml` injects.
    result = tmp_path / "result.json"
    nb = execute(
        "run_job.ipynb",
        tmp_path / "out.ipynb",
        {
            "module_name": NOOP,
            "job_config": {"message": "from a dict"},
            "run_id": "nb-dict",
            "result_path": str(result),
        },
    )
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["status"] == "succeeded"
    assert data["results"] == {"message": "from a dict", "phases": 3}
    assert data["run_id"] == "nb-dict"
    text = output_text(nb)
    assert "job 'noop' succeeded in" in text
    assert "job_succeeded" in text  # the events table
    assert "from a dict" in text  # the metrics table
    record = run_store.get("nb-dict")
    assert record is not None
    assert record.status == "succeeded"
    assert record.metrics == {"message": "from a dict", "phases": 3}


def test_json_text_config_from_the_papermill_command_line(
    tmp_path: Path, run_store: RunStore
) -> None:
    # `-p` always passes JSON text as a string; the notebook decodes it with json.
    result = tmp_path / "result.json"
    proc = papermill_cli(
        "notebooks/run_job.ipynb",
        str(tmp_path / "out.ipynb"),
        "-p",
        "module_name",
        NOOP,
        "-p",
        "job_config",
        '{"message": "from text", "sleep_seconds": 0}',
        "-p",
        "has_spark",
        "false",
        "-p",
        "run_id",
        "nb-text",
        "-p",
        "result_path",
        str(result),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["results"] == {"message": "from text", "phases": 3}
    record = run_store.get("nb-text")
    assert record is not None
    assert record.status == "succeeded"


def test_yaml_parameters_from_the_papermill_command_line(tmp_path: Path) -> None:
    result = tmp_path / "result.json"
    params = {"module_name": NOOP, "job_config": {"message": "yaml"}, "result_path": str(result)}
    proc = papermill_cli(
        "notebooks/run_job.ipynb", str(tmp_path / "out.ipynb"), "-y", json.dumps(params)
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(result.read_text(encoding="utf-8"))["results"]["message"] == "yaml"


def test_bad_config_fails_the_first_cell_with_the_command_line_message(tmp_path: Path) -> None:
    config = '{"mesage": "hi", "sleep_seconds": -1}'
    output = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        execute("run_job.ipynb", output, {"module_name": NOOP, "job_config": config})
    cli = generic_entry("--module_name", NOOP, "--noop_job", config, "--has_spark", "false")
    assert cli.returncode == 2
    cli_line = cli.stderr.strip().splitlines()[-1]
    assert cli_line.startswith("dwh: error: invalid config for job 'noop' (2 problems)")
    # The same words as the command line, minus its "dwh: error: " prefix.
    assert caught.value.ename == "ConfigError"
    assert caught.value.evalue == cli_line.removeprefix("dwh: error: ")
    nb = _read(output)
    assert failed_cell(nb) is first_cell_after_parameters(nb)


def test_a_refused_module_fails_the_first_cell(tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        execute("run_job.ipynb", output, {"module_name": "os.path", "job_config": {}})
    assert caught.value.ename == "ModuleRefusedError"
    assert "outside the allowed packages" in caught.value.evalue
    nb = _read(output)
    assert failed_cell(nb) is first_cell_after_parameters(nb)


def test_a_failing_job_exits_non_zero_with_its_own_error(
    tmp_path: Path, run_store: RunStore
) -> None:
    output = tmp_path / "out.ipynb"
    result = tmp_path / "result.json"
    proc = papermill_cli(
        "notebooks/run_job.ipynb",
        str(output),
        "-p",
        "module_name",
        NOOP,
        "-p",
        "job_config",
        '{"fail_with": "the warehouse is on fire"}',
        "-p",
        "run_id",
        "nb-fail",
        "-p",
        "result_path",
        str(result),
    )
    assert proc.returncode != 0
    assert "RuntimeError: the warehouse is on fire" in proc.stderr
    nb = _read(output)
    text = output_text(nb)
    # The job's own error, with the job's frame in the traceback, and the job_failed event.
    assert "RuntimeError: the warehouse is on fire" in text
    assert "noop_job.py" in text
    assert "job_failed" in text
    assert "job 'noop' failed in" in text
    assert not result.exists()
    # job_failed is published after on_failure returns, so a failed record means it ran.
    record = run_store.get("nb-fail")
    assert record is not None
    assert record.status == "failed"
    assert record.error == "RuntimeError: the warehouse is on fire"
    assert [e.event for e in run_store.events("nb-fail")][-1] == "job_failed"


def test_a_failing_job_raises_papermill_execution_error(tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        execute(
            "run_job.ipynb",
            output,
            {"module_name": NOOP, "job_config": {"fail_with": "out of disk"}},
        )
    assert caught.value.ename == "RuntimeError"
    assert caught.value.evalue == "out of disk"
    assert "out of disk" in str(caught.value)
    # The output notebook is written, with the failed cell's error in it.
    assert "RuntimeError: out of disk" in output_text(_read(output))


def test_notebook_and_generic_entry_give_the_same_output(tmp_path: Path) -> None:
    config = {"message": "same everywhere", "sleep_seconds": 0}
    result = tmp_path / "result.json"
    execute(
        "run_job.ipynb",
        tmp_path / "out.ipynb",
        {"module_name": NOOP, "job_config": config, "run_id": "nb", "result_path": str(result)},
    )
    events_path = tmp_path / "events.jsonl"
    cli = generic_entry(
        "--module_name",
        NOOP,
        "--noop_job",
        json.dumps(config),
        "--has_spark",
        "false",
        "--run_id",
        "cli",
        "--events",
        str(events_path),
    )
    assert cli.returncode == 0, cli.stderr
    from_notebook = json.loads(result.read_text(encoding="utf-8"))
    from_cli = read_events(events_path)
    assert from_notebook["results"] == from_cli[-1]["metrics"]
    assert [_comparable(e) for e in from_notebook["events"]] == [_comparable(e) for e in from_cli]


def _comparable(event: dict[str, object]) -> dict[str, object]:
    """An event without what differs by nature between two runs: id, time, durations."""
    return {k: v for k, v in event.items() if k not in ("run_id", "at", "seconds")}


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)

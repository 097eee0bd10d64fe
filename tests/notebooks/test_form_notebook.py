"""``form.ipynb`` under papermill: the form takes the ``job_config`` parameter and runs it."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbhelpers import execute, output_text
from papermill import PapermillExecutionError


def test_the_form_writes_job_config_and_run_true_runs_that_config(tmp_path: Path) -> None:
    config = json.dumps({"message": "from papermill"})
    nb = execute(
        "form.ipynb",
        tmp_path / "form.ipynb",
        {"job": "noop", "job_config": config, "run": True},
    )

    text = output_text(nb)
    assert "job 'noop' succeeded" in text
    assert '"message": "from papermill"' in text
    # The form was displayed as a widget, built from the noop schema.
    widgets = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    assert len(widgets) == 1


def test_a_bad_job_config_fails_with_the_command_line_message(tmp_path: Path) -> None:
    output = tmp_path / "form.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        execute(
            "form.ipynb",
            output,
            {"job": "noop", "job_config": '{"sleep_seconds": -1}', "run": True},
        )

    assert caught.value.ename == "ConfigError"
    assert "invalid config for job 'noop'" in caught.value.evalue
    assert "'sleep_seconds': Input should be greater than or equal to 0" in caught.value.evalue
    assert nbformat.read(output, as_version=4).cells

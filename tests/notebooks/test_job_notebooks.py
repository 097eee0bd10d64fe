"""The image notebooks refuse a bad config in their first cell, before any Spark starts."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbhelpers import (
    FILTER_IMAGES,
    execute,
    failed_cell,
    first_cell_after_parameters,
    generic_entry,
    output_text,
    papermill_cli,
)
from papermill import PapermillExecutionError


def test_filter_images_json_text_config_is_validated_like_the_command_line(
    tmp_path: Path,
) -> None:
    config = json.dumps(
        {"base_path": "out", "timezone": "Mars/Olympus", "transform_output_path": "in", "x": 1}
    )
    output = tmp_path / "out.ipynb"
    proc = papermill_cli("notebooks/filter_images.ipynb", str(output), "-p", "job_config", config)
    assert proc.returncode != 0
    cli = generic_entry(
        "--module_name", FILTER_IMAGES, "--filter_images_job", config, "--has_spark", "true"
    )
    assert cli.returncode == 2
    message = cli.stderr.strip().splitlines()[-1].removeprefix("dwh: error: ")
    assert "unknown IANA time zone 'Mars/Olympus'" in message
    assert "unknown key 'x'" in message
    nb = nbformat.read(output, as_version=4)
    (error,) = [out for out in failed_cell(nb).outputs if out.output_type == "error"]
    assert (error.ename, error.evalue) == ("ConfigError", message)
    assert failed_cell(nb) is first_cell_after_parameters(nb)
    assert "Spark application" not in output_text(nb)


def test_transform_images_parameters_are_validated_by_the_job_model(tmp_path: Path) -> None:
    output = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        execute(
            "transform_images.ipynb",
            output,
            {"raw_path": "raw", "output_path": "", "rejects_path": "rejects"},
        )
    assert caught.value.ename == "ConfigError"
    assert caught.value.evalue == (
        "invalid config for job 'transform_images': "
        "'output_path': String should have at least 1 character; got ''"
    )
    nb = nbformat.read(output, as_version=4)
    assert failed_cell(nb) is first_cell_after_parameters(nb)


def test_filter_images_raw_string_numbers_are_refused_not_coerced(tmp_path: Path) -> None:
    # `papermill -r` passes values as raw strings; the strict model does not guess.
    proc = papermill_cli(
        "notebooks/filter_images.ipynb",
        str(tmp_path / "out.ipynb"),
        "-r",
        "lookback_days",
        "7",
        "-p",
        "transform_output_path",
        "in",
        "-p",
        "base_path",
        "out",
    )
    assert proc.returncode != 0
    assert "'lookback_days': Input should be a valid integer; got '7'" in proc.stderr

"""The parameters form in JupyterLab in a real chromium: validate, fix, run, see the results."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from labpage import errors, open_notebook, run_all_cells, summary
from playwright.sync_api import expect

from dwh.notebook.lab import LabServer
from dwh.registry import example_configs

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "notebook-form.png"
"""Rewritten only with DWH_UPDATE_SCREENSHOTS=1, so a test run leaves the checkout clean."""
DWH = Path(sys.executable).with_name("dwh")

pytestmark = pytest.mark.browser


def dwh_validate(config: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DWH), "validate", "filter_images", json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )


def test_form_validates_like_the_cli_then_runs_the_job(
    page: Any, lab: LabServer, tmp_path: Path
) -> None:
    # Tall enough for the whole form and its results, so the screenshot is one piece.
    page.set_viewport_size({"width": 1200, "height": 2400})
    open_notebook(page, lab, "form.ipynb")
    nb = run_all_cells(page)
    assert errors(nb) == [], summary(nb)
    form = page.locator(".dwh-form")
    form.wait_for(state="visible")
    problems = page.locator(".dwh-form-problems")
    run = page.locator("button.dwh-run")

    # Nothing filled in yet: the required fields are missing and Run is disabled.
    assert "invalid config for job 'filter_images'" in problems.inner_text()
    expect(run).to_be_disabled()

    page.get_by_role("button", name="Load example").click()
    problems.get_by_text("valid config", exact=True).wait_for()
    expect(run).to_be_enabled()

    # A bad value: the exact text `dwh validate` prints for the same config.
    timezone = page.locator(".dwh-field-timezone input")
    timezone.fill("Mars/Olympus")
    problems.get_by_text("unknown IANA time zone 'Mars/Olympus'").wait_for()
    expect(run).to_be_disabled()
    bad = {**example_configs("filter_images")["demo.json"], "timezone": "Mars/Olympus"}
    cli = dwh_validate(bad)
    assert cli.returncode == 2
    assert "dwh: " + problems.inner_text().strip() == cli.stderr.strip()

    timezone.fill("UTC")
    problems.get_by_text("valid config", exact=True).wait_for()
    commands = page.locator(".dwh-form-commands textarea")
    expect(commands).to_have_value(re.compile(r"^# production \(spark-submit\)\nspark-submit "))
    assert "papermill notebooks/run_job.ipynb" in commands.input_value()
    assert '"timezone":"UTC"' in commands.input_value()

    run.click()
    status = page.locator(".dwh-run-status")
    status.get_by_text("job 'filter_images' succeeded").wait_for(timeout=300_000)
    metric_text = page.locator(".dwh-run-metrics").inner_text()
    assert "input_rows\t4" in metric_text
    assert "duplicates_in_batch\t1" in metric_text
    assert "output_rows\t3" in metric_text
    # The lifecycle, as it happened, and the outputs with their row counts.
    assert "phase_finished" in page.locator(".dwh-run-events").inner_text()
    outputs = page.locator(".dwh-run-outputs").inner_text()
    assert "filtered_output_path" in outputs
    assert "demo-data/filtered/year=2026/month=11/day=24" in outputs
    assert outputs.rstrip().endswith("\t3")
    # No warm server runs for this lab (its own DWH_HOME): the kernel's session ran it.
    assert "in this kernel's Spark session" in status.inner_text()
    # The preview of the output: its row count, schema and first rows as a table.
    preview = page.locator(".dwh-run-preview")
    expect(preview).to_have_count(1)
    preview_text = preview.inner_text()
    assert "Preview: filtered_output_path" in preview_text
    assert "3 rows (parquet); the first 3 shown" in preview_text
    assert "image_id: string" in page.locator(".dwh-preview-schema").inner_text()
    expect(preview.locator("tbody tr")).to_have_count(3)
    assert "image_id" in preview.locator("thead").inner_text()
    expect(run).to_be_enabled()

    form.scroll_into_view_if_needed()
    shot = SCREENSHOT if os.environ.get("DWH_UPDATE_SCREENSHOTS") == "1" else tmp_path / "form.png"
    form.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

"""The example notebooks, run in JupyterLab in a real chromium: no error output, the plot drawn."""

from __future__ import annotations

from typing import Any

import pytest
from labpage import errors, mime_types, open_notebook, output_text, run_all_cells, summary

from dwh.notebook.lab import LabServer

pytestmark = pytest.mark.browser


def test_run_job_notebook_runs_every_cell_without_an_error(page: Any, lab: LabServer) -> None:
    open_notebook(page, lab, "run_job.ipynb")
    nb = run_all_cells(page)

    assert errors(nb) == [], summary(nb)
    text = page.locator(".jp-OutputArea").all_inner_texts()
    joined = "\n".join(text)
    assert "job 'noop' succeeded" in joined
    # The first cell says where relative paths resolve: the project root, not notebooks/.
    assert f"relative paths resolve against {lab.settings.root}" in joined
    # The metrics table rendered as HTML.
    assert page.locator(".jp-OutputArea-output table").count() >= 2


def test_filter_images_notebook_runs_spark_and_draws_the_plot(page: Any, lab: LabServer) -> None:
    open_notebook(page, lab, "filter_images.ipynb")
    nb = run_all_cells(page)

    assert errors(nb) == [], summary(nb)
    assert "image/png" in mime_types(nb)
    plot = page.locator(".jp-RenderedImage img")
    plot.first.wait_for(state="visible")
    box = plot.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    joined = output_text(nb)
    assert "job 'filter_images' succeeded" in joined
    # The sample of rows written: the earliest of the two hash-a rows survives, not img-a2.
    assert "img-c1" in joined
    assert "img-a2" not in joined

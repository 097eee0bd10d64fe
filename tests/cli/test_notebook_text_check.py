"""``dwh check`` notices a notebook whose text shows config fields the job no longer has."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

MODULE = "tmpjobs.clean_orders.clean_orders_job_factory"


def _notebook_showing(path: Path, shown: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# clean_orders\n\n```bash\n{shown}\n```"),
        nbformat.v4.new_code_cell(
            "job_config = None  # The config.", metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            f'from dwh.notebook import run_job\n\nrun_job("{MODULE}", job_config)'
        ),
    ]
    nbformat.write(nb, path)


def test_check_names_a_field_the_notebooks_text_shows_but_the_config_lost(
    invoke, job_package: Path
) -> None:
    invoke("new", "clean_orders")
    stale = {"input_path": "in", "output_path": "out", "key_colums": []}  # renamed since
    _notebook_showing(
        job_package / "notebooks" / "old_orders.ipynb",
        f"papermill notebooks/old_orders.ipynb out/x.ipynb -p job_config '{json.dumps(stale)}'\n"
        "papermill notebooks/old_orders.ipynb out/x.ipynb -y "
        f"""'{json.dumps({"job_config": {"inputs": "in"}})}'""",
    )

    checked = invoke("check")

    assert checked.exit_code == 1
    lines = [x for x in checked.stdout.splitlines() if "[notebook]" in x]
    assert len(lines) == 2, checked.stdout
    assert "notebooks/old_orders.ipynb:1: [notebook] clean_orders:" in lines[0]
    assert "shows config field 'key_colums', which clean_orders's config does not have" in lines[0]
    assert "shows config field 'inputs'" in lines[1]


def test_the_scaffolded_notebooks_text_names_no_config_field(invoke, job_package: Path) -> None:
    invoke("new", "clean_orders")
    nb = nbformat.read(job_package / "notebooks" / "clean_orders.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")

    for field in ("input_path", "output_path", "key_columns"):
        assert field not in text
    assert "examples/configs/clean_orders/example.json" in text
    assert "out/clean_orders.ipynb" in text
    assert invoke("check").exit_code == 0

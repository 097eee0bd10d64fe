"""The committed notebooks: no outputs, kernel ``python3``, documented parameters, no job logic."""

from __future__ import annotations

import ast
import json

import nbformat
import papermill
import pytest
from nbhelpers import NOTEBOOKS

from dwh.notebook import strip_outputs

NOTEBOOK_NAMES = ["run_job.ipynb", "filter_images.ipynb", "transform_images.ipynb", "form.ipynb"]


def all_notebooks() -> list[str]:
    return sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))


def test_every_notebook_is_known() -> None:
    assert all_notebooks() == sorted(NOTEBOOK_NAMES)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_committed_without_outputs(name: str) -> None:
    # Outputs would leak one person's data and paths into git, and make diffs unreadable.
    # To strip them: python -m dwh.notebook strip-outputs notebooks/*.ipynb
    assert not strip_outputs(NOTEBOOKS / name, check=True), f"{name} has outputs"
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    dirty = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert dirty == [], f"{name}: cells {dirty} have outputs or execution counts"
    assert "papermill" not in nb.metadata, f"{name} is a papermill output, not a source notebook"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_valid_with_python3_kernel(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.kernelspec.language == "python"


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_exactly_one_parameters_cell_and_every_parameter_has_help(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    assigned = [
        node.target.id
        for node in ast.parse(tagged[0].source).body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    ]
    # papermill --help-notebook reads the same data as inspect_notebook.
    inspected = papermill.inspect_notebook(str(NOTEBOOKS / name))
    assert list(inspected) == assigned
    undocumented = [key for key, param in inspected.items() if not param["help"]]
    assert undocumented == []


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_notebooks_call_main_through_dwh_notebook_only(name: str) -> None:
    # The notebooks are a front door, not a copy of the job: they reach the job only
    # through dwh.notebook (which calls the factory module's main), never its classes.
    source = "\n".join(cell.source for cell in nbformat.read(NOTEBOOKS / name, as_version=4).cells)
    assert "prepare_run(" in source
    for forbidden in ("_job import", "JobFactory", "execute_job", "Transformer"):
        assert forbidden not in source, f"{name} reaches into job code: {forbidden}"


def test_notebook_json_is_stable() -> None:
    # nbformat writes one canonical form; a hand-edited notebook that differs makes noisy diffs.
    for name in NOTEBOOK_NAMES:
        path = NOTEBOOKS / name
        nb = nbformat.read(path, as_version=4)
        assert json.loads(nbformat.writes(nb)) == json.loads(path.read_text(encoding="utf-8"))

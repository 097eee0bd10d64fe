"""The papermill examples write only under ``out/``, which git ignores: never the repo root."""

from __future__ import annotations

import re

import nbformat
from nbhelpers import NOTEBOOKS, REPO

from dwh.devtools.scaffold import notebook

# papermill INPUT OUTPUT, across a continuation line too; and the result files.
COMMAND = re.compile(r"papermill\s+(?:\\\s*)?(\S+\.ipynb)\s+(?:\\\s*)?(\S+\.ipynb)")
RESULT = re.compile(r"-p\s+result_path\s+(\S+)")


def _texts() -> dict[str, str]:
    texts = {p.name: p.read_text(encoding="utf-8") for p in [REPO / "README.md"]}
    texts |= {p.name: p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md")}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        texts[path.name] = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    texts["scaffold"] = notebook(
        "clean_orders", "tmpjobs.clean_orders.clean_orders_job_factory", {}
    )
    return texts


def test_every_papermill_example_writes_under_out() -> None:
    outside = []
    found = 0
    for name, text in _texts().items():
        for _, output in COMMAND.findall(text):
            found += 1
            if not output.startswith("out/"):
                outside.append(f"{name}: {output}")
        outside += [f"{name}: {p}" for p in RESULT.findall(text) if not p.startswith("out/")]
    assert found >= 10
    assert outside == []


def test_out_is_ignored_by_git() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "out/" in ignored

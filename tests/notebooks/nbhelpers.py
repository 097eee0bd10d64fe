"""Helpers for the notebook tests: run notebooks through real papermill and ipykernel.

Every notebook run starts a fresh ``python3`` kernel (this venv's python), which
inherits the test's environment, so ``DWH_HOME`` points the run store at a temporary
folder. No Jupyter server is involved.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
import papermill

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ENTRY = REPO / "scripts" / "container" / "generic_entry.py"
PAPERMILL = Path(sys.executable).with_name("papermill")
NOOP = "dwh.jobs.noop.noop_job_factory"
FILTER_IMAGES = "dwh.jobs.filter_images.filter_images_job_factory"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def execute(
    notebook: str, output: Path, parameters: dict[str, Any] | None = None, **engine: Any
) -> nbformat.NotebookNode:
    """Run ``notebooks/<notebook>`` with papermill's Python API and return the output notebook.

    ``km=<KernelManager>`` runs it in an already running kernel, which outlives the run.
    """
    return papermill.execute_notebook(
        str(NOTEBOOKS / notebook),
        str(output),
        parameters=parameters or {},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(REPO),
        **engine,
    )


def papermill_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``papermill`` command line, as a scheduler would."""
    return subprocess.run(
        [str(PAPERMILL), *args, "--no-progress-bar", "--cwd", str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def generic_entry(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the generic entry in a subprocess, the way production runs it."""
    return subprocess.run(
        [sys.executable, str(ENTRY), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=REPO,
    )


def output_text(nb: nbformat.NotebookNode) -> str:
    """Every output of every code cell as plain text: streams, results and tracebacks."""
    parts: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                parts.append(str(out.data.get("text/plain", "")))
            elif out.output_type == "error":
                parts.append(f"{out.ename}: {out.evalue}")
                parts.extend(_ANSI.sub("", line) for line in out.traceback)
    return "\n".join(parts)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The code cells, in order."""
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def failed_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The one code cell whose outputs hold an error."""
    failed = [
        cell
        for cell in code_cells(nb)
        if any(out.output_type == "error" for out in cell.get("outputs", []))
    ]
    assert len(failed) == 1, f"expected one failed cell, got {len(failed)}"
    return failed[0]


def first_cell_after_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The first code cell after papermill's injected parameters (or the parameters cell)."""
    cells = code_cells(nb)
    tags = [set(cell.metadata.get("tags", [])) for cell in cells]
    last = max(i for i, t in enumerate(tags) if t & {"parameters", "injected-parameters"})
    return cells[last + 1]


def read_events(path: Path) -> list[dict[str, Any]]:
    """The JSON-lines events the generic entry wrote with ``--events PATH``."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write_image_batch(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    """Write a transform_images-shaped parquet batch with pyarrow (no JVM needed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("image_id", pa.string()),
            ("url", pa.string()),
            ("content_hash", pa.string()),
            ("width", pa.int32()),
            ("height", pa.int32()),
            ("captured_at", pa.timestamp("us", tz="UTC")),
            ("camera", pa.string()),
        ]
    )
    path.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(list(rows), schema=schema)
    pq.write_table(table, path / "part-00000.parquet")
    return path


def image(image_id: str, content_hash: str, minute: int) -> dict[str, Any]:
    """One image row for :func:`write_image_batch`."""
    return {
        "image_id": image_id,
        "url": f"https://cdn.example.com/{image_id}.jpg",
        "content_hash": content_hash * 64 if len(content_hash) == 1 else content_hash,
        "width": 640,
        "height": 480,
        "captured_at": dt.datetime(2026, 11, 20, 8, minute, tzinfo=dt.UTC),
        "camera": "cam-1",
    }


def parquet_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a parquet dataset folder, sorted by ``image_id`` (no JVM)."""
    import pyarrow.parquet as pq

    files = sorted(p for p in path.rglob("*.parquet") if not p.name.startswith((".", "_")))
    rows = [row for file in files for row in pq.read_table(file).to_pylist()]
    return sorted(rows, key=lambda row: row["image_id"])


def visible_files(path: Path) -> list[Path]:
    """Files under ``path`` that a reader would see: none of the parts is hidden (``.``/``_``)."""
    if not path.exists():
        return []
    hidden = (".", "_")
    return [
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith(hidden) for part in p.relative_to(path).parts)
    ]

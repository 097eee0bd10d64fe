"""The image notebooks with real Spark, through papermill and ipykernel.

Each kernel that runs a Spark job starts a JVM (seconds on a busy machine), so there
are two JVM starts in all: one kernel, kept alive across the tests like a Jupyter
session, runs transform_images, filter_images and a job that fails mid-write; the
generic entry runs filter_images once to compare. The kernel's run store is its own,
fixed when it starts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbhelpers import (
    FILTER_IMAGES,
    REPO,
    execute,
    generic_entry,
    image,
    output_text,
    parquet_rows,
    visible_files,
    write_image_batch,
)
from papermill import PapermillExecutionError

from dwh.runs.store import RunStore
from dwh.spark._discovery import DISCOVERY_ENV

pytestmark = pytest.mark.spark

A, B, C = ("a" * 64, "b" * 64, "c" * 64)
RAW_LINES = [
    # img-a2 repeats img-a1's picture five minutes later: an in-batch duplicate.
    {"image_id": "img-a1", "sha256": A, "captured_at": "2026-11-24T10:00:00Z"},
    {"image_id": "img-a2", "sha256": A, "captured_at": "2026-11-24T10:05:00Z"},
    {"image_id": "img-b1", "sha256": B, "captured_at": "2026-11-24T11:00:00+05:30"},
    {"image_id": "img-c1", "sha256": C.upper(), "captured_at": "2026-11-24T12:00:00Z"},
]
BAD_LINES = [
    '{"image_id": "img-broken"',  # invalid_json
    json.dumps({"image_id": "img-x", "sha256": A, "width": 1, "height": 1, "captured_at": "Z"}),
    json.dumps(
        {
            "image_id": "img-w",
            "url": "https://cdn.example.com/w.jpg",
            "sha256": B,
            "width": "1920",
            "height": 1,
            "captured_at": "2026-11-24T10:00:00Z",
        }
    ),
]


def write_raw(folder: Path) -> Path:
    """Four good lines (one an in-batch duplicate) and three bad ones, one per reason."""
    lines = [
        json.dumps(
            {
                **line,
                "url": f" HTTPS://Cdn.Example.com/{line['image_id']}.JPG ",
                "width": 640,
                "height": 480,
                "camera": "cam-1",
            }
        )
        for line in RAW_LINES
    ]
    folder.mkdir(parents=True)
    (folder / "images.jsonl").write_text("\n".join([*lines, *BAD_LINES]) + "\n", encoding="utf-8")
    return folder


@dataclass
class Kernel:
    """A running kernel and the run store it records runs in."""

    manager: KernelManager
    store: RunStore


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    """One python3 kernel kept alive across several papermill runs, like a Jupyter session."""
    home = tmp_path_factory.mktemp("kernel-dwh-home")
    env = {**os.environ, "DWH_HOME": str(home), "DWH_RUN_STORE": str(home / "runs.db")}
    env.pop("DWH_JOB_PACKAGES", None)
    # The kernel's own classic session, never the suite's warm server (the notebooks
    # use a warm server when one runs, and an earlier test may have started it).
    env[DISCOVERY_ENV] = str(home / "no-server" / "connect-local.json")
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(REPO), env=env)
    store = RunStore(home / "runs.db")
    try:
        yield Kernel(manager, store)
    finally:
        store.close()
        manager.shutdown_kernel(now=True)


def test_image_notebooks_in_one_kernel_reuse_spark_and_match_the_generic_entry(
    tmp_path: Path, kernel: Kernel
) -> None:
    raw = write_raw(tmp_path / "raw" / "2026-11-24")
    transformed = tmp_path / "transformed"
    filtered = tmp_path / "filtered"
    results = {name: tmp_path / f"{name}.json" for name in ("transform", "filter")}

    transform_nb = execute(
        "transform_images.ipynb",
        tmp_path / "transform_out.ipynb",
        {
            "raw_path": str(raw),
            "output_path": str(transformed),
            "run_id": "nb-transform",
            "result_path": str(results["transform"]),
        },
        km=kernel.manager,
    )
    filter_config = {
        "transform_output_path": str(transformed),
        "base_path": str(filtered),
        "timezone": "UTC",
        "run_date": "2026-11-24",
        "lookback_days": 7,
    }
    filter_nb = execute(
        "filter_images.ipynb",
        tmp_path / "filter_out.ipynb",
        {**filter_config, "run_id": "nb-filter", "result_path": str(results["filter"])},
        km=kernel.manager,
    )
    transform = json.loads(results["transform"].read_text(encoding="utf-8"))
    filtered_run = json.loads(results["filter"].read_text(encoding="utf-8"))

    # The second notebook found the first one's session: no second Spark start.
    assert transform["spark"]["reused"] is False
    assert filtered_run["spark"] == {
        "application_id": transform["spark"]["application_id"],
        "reused": True,
    }
    assert "(reused)" in output_text(filter_nb)

    assert _without_paths(transform["results"]) == {
        "input_rows": 7,
        "output_rows": 4,
        "rejected_rows": 3,
    }
    assert _without_paths(filtered_run["results"]) == {
        "input_rows": 4,
        "duplicates_in_batch": 1,
        "duplicates_in_history": 0,
        "output_rows": 3,
    }
    # What a person looks at: the plot and the sample rows.
    for nb in (transform_nb, filter_nb):
        assert _has_image(nb)
    transform_text = output_text(transform_nb)
    for reason in ("invalid_json", "missing_url", "invalid_width"):
        assert reason in transform_text
    assert "img-c1" in output_text(filter_nb)

    for run_id in ("nb-transform", "nb-filter"):
        record = kernel.store.get(run_id)
        assert record is not None
        assert record.status == "succeeded"

    # The generic entry, on the same input with the same config, writes the same rows.
    cli_filtered = tmp_path / "cli_filtered"
    events = tmp_path / "events.jsonl"
    cli = generic_entry(
        "--module_name",
        FILTER_IMAGES,
        "--filter_images_job",
        json.dumps({**filter_config, "base_path": str(cli_filtered)}),
        "--has_spark",
        "true",
        "--run_id",
        "cli-filter",
        "--events",
        str(events),
    )
    assert cli.returncode == 0, cli.stderr
    cli_metrics = json.loads(events.read_text(encoding="utf-8").splitlines()[-1])["metrics"]
    assert _without_paths(cli_metrics) == _without_paths(filtered_run["results"])
    notebook_rows = parquet_rows(Path(filtered_run["results"]["output_path"]))
    assert [row["image_id"] for row in notebook_rows] == ["img-a1", "img-b1", "img-c1"]
    assert parquet_rows(Path(cli_metrics["output_path"])) == notebook_rows


def test_a_job_failing_mid_write_leaves_no_output_and_a_failed_run(
    tmp_path: Path, kernel: Kernel
) -> None:
    # The first file gives Spark the schema; the second is not parquet, so the job
    # fails only when the load phase reads it to write the output.
    batch = write_image_batch(tmp_path / "batch", [image("img-1", "a", 1), image("img-2", "b", 2)])
    (batch / "part-00001.parquet").write_bytes(b"this is not parquet")
    base_path = tmp_path / "filtered"
    output = tmp_path / "out.ipynb"
    result = tmp_path / "result.json"
    config = {
        "transform_output_path": str(batch),
        "base_path": str(base_path),
        "timezone": "UTC",
        "run_date": "2026-11-24",
    }
    with pytest.raises(PapermillExecutionError) as caught:
        execute(
            "run_job.ipynb",
            output,
            {
                "module_name": FILTER_IMAGES,
                "job_config": json.dumps(config),  # JSON text, as `papermill -p` passes it
                "has_spark": "true",
                "run_id": "nb-spark-fail",
                "result_path": str(result),
            },
            km=kernel.manager,
        )
    record = kernel.store.get("nb-spark-fail")
    assert record is not None
    assert record.status == "failed"
    assert record.error
    events = kernel.store.events("nb-spark-fail")
    assert events[-1].event == "job_failed"
    assert "load" not in [e.payload.get("phase") for e in events]  # it failed in load
    # The job's own error: in papermill's exception and in the saved notebook.
    error_type, error_message = record.error.split(": ", 1)
    assert caught.value.ename == error_type
    assert error_message.splitlines()[0] in caught.value.evalue
    text = output_text(nbformat.read(output, as_version=4))
    assert record.error in text
    assert "not a Parquet file" in text
    # Nothing a reader could see was written: no partition, no result file.
    assert visible_files(base_path) == []
    assert not result.exists()


def _without_paths(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if k not in ("output_path", "rejects_path", "run_id")}


def _has_image(nb: nbformat.NotebookNode) -> bool:
    return any(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )

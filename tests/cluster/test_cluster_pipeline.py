"""The image pipeline on a real multi-process Spark cluster, run the way Glue runs it.

``dwh package`` builds the ``--py-files`` zip; the generic entry script is copied
alone into a scratch folder; ``spark-submit --master spark://...`` runs from a working
directory outside the repository with no PYTHONPATH. The driver and the executors use
a Python that has the third-party dependencies but cannot see this repository (not
even through the editable install), so every line of job code comes from the zip.

``transform_images`` parses each raw line with ``parse_line`` inside ``mapInArrow``:
that Python runs in the executors' Python workers, the step the job genuinely needs
(the parse rules are Python, shared with the unit tests). ``filter_images`` then runs
as triggered by it. The outputs are checked row for row against the same rules
applied here in plain Python.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from dwh.jobs.transform_images.image_record import ImageRecord, parse_line
from dwh.runs.store import RunStore
from examples.generate_images import generate_batches, write_batches

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]

DAY = dt.date(2026, 11, 24)
SUBMIT_TIMEOUT = 600


def submit(
    cluster: Any, entry: Path, py_files: Path, work: Path, python: Path, args: list[str]
) -> subprocess.CompletedProcess[str]:
    command, env = cluster.submit_command(
        entry,
        args,
        python=python,
        py_files=py_files,
        work=work,
        conf={"spark.executor.memory": "1g", "spark.cores.max": "2"},
    )
    proc = subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=SUBMIT_TIMEOUT
    )
    assert proc.returncode == 0, f"spark-submit failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    return proc


def succeeded(events: Path, job: str) -> dict[str, object]:
    lines = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    names = [e["event"] for e in lines if e["job"] == job]
    assert names[0] == "job_started" and names[-1] == "job_succeeded", names
    return next(e for e in lines if e["job"] == job and e["event"] == "job_succeeded")


def rows(path: Path) -> list[dict[str, object]]:
    table: list[dict[str, object]] = (
        pads.dataset(str(path), format="parquet").to_table().to_pylist()
    )
    return table


def test_image_pipeline_on_a_standalone_cluster(
    standalone_cluster: Any, artifacts: dict[str, Path], clean_python: Path, tmp_path: Path
) -> None:
    py_files = artifacts["zip"]
    entry_dir = tmp_path / "entry"
    entry_dir.mkdir()
    entry = entry_dir / "generic_entry.py"
    shutil.copy(REPO / "scripts" / "glue" / "generic_entry.py", entry)
    work = tmp_path / "work"
    work.mkdir()
    lines = generate_batches(seed=11, size=600, days=[DAY])[DAY]
    raw = write_batches({DAY: lines}, tmp_path / "raw")[DAY]
    events = tmp_path / "events.jsonl"

    transform_config = {
        "raw_path": str(raw),
        "output_path": str(tmp_path / "transformed"),
        "rejects_path": str(tmp_path / "rejects"),
    }
    submit(
        standalone_cluster,
        entry,
        py_files,
        work,
        clean_python,
        [
            "--module_name",
            "dwh.jobs.transform_images.transform_images_job_factory",
            "--transform_images_job",
            json.dumps(transform_config),
            "--has_spark",
            "true",
            "--events",
            str(events),
            # Glue adds arguments of its own; the entry ignores them.
            "--JOB_NAME",
            "transform_images",
            "--job-bookmark-option",
            "job-bookmark-disable",
        ],
    )
    transform = succeeded(events, "transform_images")

    filter_config = {
        "base_path": str(tmp_path / "filtered"),
        "timezone": "America/Los_Angeles",
        "transform_output_path": str(tmp_path / "transformed"),
        "run_date": DAY.isoformat(),
        "triggered_by_job": "transform_images",
        "triggered_by_run_id": transform["run_id"],
    }
    submit(
        standalone_cluster,
        entry,
        py_files,
        work,
        clean_python,
        [
            "--module_name",
            "dwh.jobs.filter_images.filter_images_job_factory",
            "--filter_images_job",
            json.dumps(filter_config),
            "--has_spark",
            "true",
            "--events",
            str(events),
        ],
    )
    filtered = succeeded(events, "filter_images")

    # The same rules in plain Python give the expected rows.
    parsed = [parse_line(line) for line in lines]
    images = [p for p in parsed if isinstance(p, ImageRecord)]
    earliest: dict[str, ImageRecord] = {}
    for image in sorted(images, key=lambda i: (i.captured_at, i.image_id)):
        earliest.setdefault(image.content_hash, image)

    assert transform["metrics"]["input_rows"] == len(lines)
    assert transform["metrics"]["output_rows"] == len(images)
    assert transform["metrics"]["rejected_rows"] == len(lines) - len(images)
    assert sorted(r["image_id"] for r in rows(tmp_path / "transformed")) == sorted(
        i.image_id for i in images
    )
    assert len(rows(tmp_path / "rejects")) == len(lines) - len(images)

    assert filtered["metrics"]["input_rows"] == len(images)
    assert filtered["metrics"]["output_rows"] == len(earliest)
    partition = tmp_path / "filtered" / "year=2026" / "month=11" / "day=24"
    assert sorted(r["image_id"] for r in rows(partition)) == sorted(
        i.image_id for i in earliest.values()
    )

    # Both applications ran executors on the worker (one folder per application).
    state = standalone_cluster.state()
    names = sorted(app["name"] for app in state["completedapps"])  # type: ignore[union-attr]
    assert names == ["dwh-filter_images", "dwh-transform_images"]
    assert len(list(standalone_cluster.worker_dir.glob("app-*/*/stderr"))) >= 2

    # The run store in the job's working directory links the triggered run to its parent.
    store = RunStore(work / ".dwh" / "runs.db")
    children = store.children(str(transform["run_id"]))
    assert [c.job for c in children] == ["filter_images"]
    assert children[0].status == "succeeded"

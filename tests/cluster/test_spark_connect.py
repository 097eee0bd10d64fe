"""A job run against a Spark Connect server, through the entry, with ``--spark_remote``.

The client is the generic entry copied alone, with the ``--py-files`` zip as its only
source of job code, and with no way to start a JVM of its own (``SPARK_HOME`` points
nowhere, ``JAVA_HOME`` is unset): the Spark work can only happen on the server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from dwh.jobs.transform_images.image_record import ImageRecord, parse_line
from examples.generate_images import generate_batches, write_batches

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]


def test_transform_images_runs_on_a_spark_connect_server(
    connect_server: Any, artifacts: dict[str, Path], clean_python: Path, tmp_path: Path
) -> None:
    entry = Path(shutil.copy(REPO / "scripts" / "container" / "generic_entry.py", tmp_path))
    ((day, lines),) = generate_batches(
        seed=5, size=400, days=[__import__("datetime").date(2026, 11, 25)]
    ).items()
    raw = write_batches({day: lines}, tmp_path / "raw")[day]
    events = tmp_path / "events.jsonl"
    config = {"raw_path": str(raw), "output_path": str(tmp_path / "transformed")}
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(artifacts["zip"]),
        "SPARK_HOME": str(tmp_path / "no-spark-here"),
        "DWH_HOME": str(tmp_path / ".dwh"),
    }

    proc = subprocess.run(
        [
            str(clean_python),
            str(entry),
            "--module_name",
            "dwh.jobs.transform_images.transform_images_job_factory",
            "--transform_images_job",
            json.dumps(config),
            "--has_spark",
            "true",
            "--spark_remote",
            connect_server.url,
            "--events",
            str(events),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr[-3000:]
    succeeded = [json.loads(line) for line in events.read_text().splitlines()][-1]
    images = [p for p in map(parse_line, lines) if isinstance(p, ImageRecord)]
    assert succeeded["event"] == "job_succeeded"
    assert succeeded["metrics"]["input_rows"] == len(lines)
    assert succeeded["metrics"]["output_rows"] == len(images)
    rows = pads.dataset(str(tmp_path / "transformed"), format="parquet").to_table().to_pylist()
    assert sorted(r["image_id"] for r in rows) == sorted(i.image_id for i in images)

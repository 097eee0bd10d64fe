"""The triggered pair on generated data: transform_images, then filter_images, each on Spark.

Both run as child processes through the real trigger runner and the generic entry,
with the file transport; the second run's parent facet names the first run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import job_env
from lineage_schemas import read_lines

from dwh.lineage import openlineage_run_id
from dwh.triggers import run_with_triggers
from dwh.triggers.trigger_map import TriggerMap
from examples.generate_images import generate_batches, write_batches

DAY = dt.date(2026, 11, 24)


@pytest.mark.spark
def test_transform_then_filter_carry_datasets_schemas_and_the_parent(
    no_lineage_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    check_events: Callable[[list[dict[str, Any]]], None],
) -> None:
    sink = tmp_path / "lineage.jsonl"
    environment = job_env(
        tmp_path,
        DWH_ALERTS="off",
        OPENLINEAGE__TRANSPORT__TYPE="file",
        OPENLINEAGE__TRANSPORT__LOG_FILE_PATH=str(sink),
        OPENLINEAGE__TRANSPORT__APPEND="true",
    )
    for name in (
        "DWH_HOME",
        "DWH_ALERTS",
        "PYTHONPATH",
        *(k for k in environment if "LINEAGE" in k),
    ):
        monkeypatch.setenv(name, environment[name])
    raw = write_batches(generate_batches(7, 200, (DAY,)), tmp_path / "raw")[DAY]
    batch, base = tmp_path / "batch", tmp_path / "filtered"
    triggers = TriggerMap.from_dict(
        {
            "transform_images": [
                {
                    "job": "filter_images",
                    "config": {
                        "base_path": str(base),
                        "timezone": "America/Los_Angeles",
                        "run_date": DAY.isoformat(),
                    },
                    "map": {"transform_output_path": "outputs.output_path"},
                }
            ]
        }
    )

    transform, filtered = run_with_triggers(
        "transform_images",
        {"raw_path": str(raw), "output_path": str(batch)},
        trigger_map=triggers,
    )

    assert (transform.status, filtered.status) == ("succeeded", "succeeded"), (
        transform.error,
        filtered.error,
    )
    events = read_lines(sink)
    check_events(events)
    assert [(e["job"]["name"], e["eventType"]) for e in events] == [
        ("transform_images", "START"),
        ("transform_images", "COMPLETE"),
        ("filter_images", "START"),
        ("filter_images", "COMPLETE"),
    ]
    first, second = openlineage_run_id(transform.run_id), openlineage_run_id(filtered.run_id)
    assert [e["run"]["runId"] for e in events] == [first, first, second, second]
    assert "parent" not in events[0]["run"]["facets"]
    for event in events[2:]:
        parent = event["run"]["facets"]["parent"]
        assert parent["run"]["runId"] == first
        assert parent["job"] == {"namespace": "dwh", "name": "transform_images", "facets": {}}

    transformed = events[1]
    assert [(d["namespace"], d["name"]) for d in transformed["inputs"]] == [("file", str(raw))]
    outputs = {d["name"]: d["facets"]["schema"]["fields"] for d in transformed["outputs"]}
    assert list(outputs) == [str(batch), f"{batch}_rejects"]
    assert {"image_id", "content_hash", "captured_at"} <= {f["name"] for f in outputs[str(batch)]}
    assert "reject_reason" in {f["name"] for f in outputs[f"{batch}_rejects"]}

    done = events[3]
    assert [(d["namespace"], d["name"]) for d in done["inputs"]] == [("file", str(batch))]
    (output,) = done["outputs"]
    assert (output["namespace"], output["name"]) == ("file", f"{base}/year=2026/month=11/day=24")
    assert {f["name"] for f in output["facets"]["schema"]["fields"]} >= {"image_id", "url"}
    metrics = done["run"]["facets"]["dwh_metrics"]["metrics"]
    assert (
        metrics["input_rows"]
        == transformed["run"]["facets"]["dwh_metrics"]["metrics"]["output_rows"]
    )

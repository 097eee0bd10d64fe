"""The mapping itself: each dwh event's OpenLineage event, valid against the spec's schemas."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from lineage_schemas import schema_errors

from dwh.events import Event, EventName
from dwh.lineage import dataset_identity, openlineage_run_id, to_json
from dwh.lineage._mapping import RunEventMapper

RUN = "20261125T183000Z-3f9a1c"
UPSTREAM = "20261125T182000Z-0a0b0c"
Check = Callable[[list[dict[str, Any]]], None]


def mapped(*events: Event, namespace: str = "dwh") -> list[dict[str, Any]]:
    mapper = RunEventMapper(namespace)
    out = [mapper.map(event) for event in events]
    return [json.loads(to_json(e)) for e in out if e is not None]


def started(run_id: str = RUN, **payload: Any) -> Event:
    body = {"config": {"message": "hi", "api_token": "***"}, "config_hash": "abc123", **payload}
    return Event(EventName.JOB_STARTED, "relay", run_id, body)


def test_the_run_id_is_a_stable_uuid7_carrying_the_runs_second() -> None:
    first = openlineage_run_id(RUN)
    value = uuid.UUID(first)

    assert first == openlineage_run_id(RUN)
    assert value.version == 7
    second = dt.datetime(2026, 11, 25, 18, 30, tzinfo=dt.UTC)
    assert int.from_bytes(value.bytes[:6], "big") == second.timestamp() * 1000
    assert openlineage_run_id("20261125T183000Z-3f9a1d") != first
    assert openlineage_run_id(RUN, kind="backfill") != first
    assert uuid.UUID(openlineage_run_id("nightly-1")).version == 5
    given = str(uuid.uuid4())
    assert openlineage_run_id(given) == given


def test_start_and_complete_share_the_run_and_carry_dwh_facets(check_events: Check) -> None:
    succeeded = Event(
        EventName.JOB_SUCCEEDED,
        "relay",
        RUN,
        {
            "metrics": {"rows": 3},
            "outputs": {"out": "/data/out/", "copy": "s3://bucket/a/b"},
            "inputs": {"raw": "/data/raw"},
            "output_schemas": {"out": [{"name": "id", "type": "bigint"}]},
        },
    )
    phase = Event(EventName.PHASE_FINISHED, "relay", RUN, {"phase": "load", "rows": 3})

    start, complete = mapped(started(), phase, succeeded, namespace="team")

    check_events([start, complete])
    assert [start["eventType"], complete["eventType"]] == ["START", "COMPLETE"]
    assert start["run"]["runId"] == complete["run"]["runId"] == openlineage_run_id(RUN)
    assert start["job"] == complete["job"]
    assert start["job"]["namespace"] == "team" and start["job"]["name"] == "relay"
    job_type = start["job"]["facets"]["jobType"]
    assert (job_type["processingType"], job_type["integration"], job_type["jobType"]) == (
        "BATCH",
        "DWH",
        "JOB",
    )
    dwh = start["run"]["facets"]["dwh_run"]
    assert dwh["runId"] == RUN and dwh["configHash"] == "abc123"
    assert dwh["config"] == {"message": "hi", "api_token": "***"}
    assert complete["run"]["facets"]["dwh_metrics"]["metrics"] == {"rows": 3}
    assert complete["inputs"] == [
        {"namespace": "file", "name": "/data/raw", "facets": {}, "inputFacets": {}}
    ]
    outputs = {(o["namespace"], o["name"]): o["facets"] for o in complete["outputs"]}
    assert outputs[("file", "/data/out")]["schema"]["fields"][0] == {
        "name": "id",
        "type": "bigint",
        "fields": [],
    }
    assert outputs[("s3://bucket", "a/b")] == {}


def test_failure_and_cancel(check_events: Check) -> None:
    failed = Event(
        EventName.JOB_FAILED,
        "relay",
        RUN,
        {"error_type": "RuntimeError", "error_message": "RuntimeError: boom", "cancelled": False},
    )
    cancelled = Event(
        EventName.JOB_FAILED,
        "relay",
        "r2",
        {"error_type": "KeyboardInterrupt", "error_message": "cancelled", "cancelled": True},
    )

    start, fail, abort = mapped(started(), failed, cancelled)

    check_events([start, fail, abort])
    assert fail["eventType"] == "FAIL" and abort["eventType"] == "ABORT"
    error = fail["run"]["facets"]["errorMessage"]
    assert error["message"] == "RuntimeError: boom"
    assert error["programmingLanguage"] == "python"
    assert "stackTrace" not in error


def test_a_triggered_run_names_its_parent_and_a_backfill_run_the_backfill(
    check_events: Check,
) -> None:
    triggered = Event(
        EventName.JOB_STARTED,
        "filter_images",
        RUN,
        {"config": {}, "config_hash": "h"},
        triggered_by_job="transform_images",
        triggered_by_run_id=UPSTREAM,
    )
    backfilled = started("20261125T190000Z-111111", backfill_id="20261125T185959Z-bf")
    both = Event(
        EventName.JOB_STARTED,
        "filter_images",
        "20261125T190500Z-222222",
        {"config": {}, "config_hash": "h", "backfill_id": "20261125T185959Z-bf"},
        triggered_by_job="transform_images",
        triggered_by_run_id=UPSTREAM,
    )
    backfill_done = Event(
        EventName.JOB_SUCCEEDED, "relay", "20261125T190000Z-111111", {"metrics": {}}
    )

    events = mapped(triggered, backfilled, both, backfill_done)

    check_events(events)
    by_trigger, by_backfill, in_both, done = (e["run"]["facets"]["parent"] for e in events)
    assert by_trigger["run"]["runId"] == openlineage_run_id(UPSTREAM)
    assert by_trigger["job"] == {"namespace": "dwh", "name": "transform_images", "facets": {}}
    backfill_uuid = openlineage_run_id("20261125T185959Z-bf", kind="backfill")
    assert by_backfill["run"]["runId"] == backfill_uuid
    assert by_backfill["job"]["name"] == "relay.backfill"
    assert in_both["run"]["runId"] == openlineage_run_id(UPSTREAM)
    assert in_both["root"]["run"]["runId"] == backfill_uuid
    assert in_both["root"]["job"]["name"] == "filter_images.backfill"
    assert done == by_backfill  # the later events of the run keep the backfill
    assert uuid.UUID(backfill_uuid).version == 7


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/data/raw/", ("file", "/data/raw")),
        ("file:///data/raw", ("file", "/data/raw")),
        ("s3://bucket/a/b/", ("s3://bucket", "a/b")),
        ("s3a://bucket/a", ("s3://bucket", "a")),
        ("gs://bucket/x", ("gs://bucket", "x")),
        ("hdfs://nn:8020/a/b", ("hdfs://nn:8020", "/a/b")),
    ],
)
def test_dataset_names_follow_the_naming_spec(path: str, expected: tuple[str, str]) -> None:
    assert dataset_identity(path) == expected


def test_a_relative_path_is_made_absolute(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert dataset_identity("out/x") == ("file", str(tmp_path / "out" / "x"))


def test_the_schema_check_catches_a_bad_run_id_and_a_facet_without_producer() -> None:
    from lineage_schemas import schema_errors

    (event,) = mapped(started())
    assert schema_errors(event) == []
    event["run"]["runId"] = "20261125T183000Z-3f9a1c"
    del event["run"]["facets"]["dwh_run"]["_producer"]
    event["job"]["facets"]["jobType"]["_schemaURL"] = "https://example.com/Unknown.json"

    problems = "\n".join(schema_errors(event))
    assert "is not a 'uuid'" in problems
    assert "'_producer' is a required property" in problems
    assert "no vendored schema for 'https://example.com/Unknown.json'" in problems


def test_an_audited_output_carries_the_specs_data_quality_facets() -> None:
    """COMPLETE: dataQualityAssertions and dataQualityMetrics on each audited output."""
    mapper = RunEventMapper("dwh")
    audit = {
        "output": "out",
        "path": "/data/out",
        "passed": True,
        "row_count": 920,
        "null_counts": {"id": 0, "url": 2},
        "checks": [
            {
                "name": "unique(id)",
                "check": "unique",
                "columns": ["id"],
                "severity": "error",
                "status": "passed",
                "failing_rows": 0,
                "samples": [],
            },
            {
                "name": "not_null(url)",
                "check": "not_null",
                "columns": ["url"],
                "severity": "warn",
                "status": "warned",
                "failing_rows": 2,
                "samples": [],
            },
        ],
    }
    mapper.map(started())
    mapper.map(Event("checks_finished", "j", RUN, audit))
    complete = mapper.map(
        Event("job_succeeded", "j", RUN, {"metrics": {}, "outputs": {"out": "/data/out"}})
    )

    data = json.loads(to_json(complete))
    assert schema_errors(data) == []
    (output,) = data["outputs"]
    assertions = output["facets"]["dataQualityAssertions"]["assertions"]
    assert [(a["assertion"], a["success"], a["column"], a["severity"]) for a in assertions] == [
        ("unique", True, "id", "error"),
        ("not_null", False, "url", "warn"),
    ]
    metrics = output["facets"]["dataQualityMetrics"]
    assert metrics["rowCount"] == 920
    assert {k: v["nullCount"] for k, v in metrics["columnMetrics"].items()} == {"id": 0, "url": 2}


def test_a_failed_audit_names_the_held_back_output_in_the_fail_event() -> None:
    mapper = RunEventMapper("dwh")
    audit = {
        "output": "out",
        "path": "/data/out",
        "passed": False,
        "row_count": 3,
        "null_counts": {"id": 0},
        "checks": [
            {
                "name": "unique(id)",
                "check": "unique",
                "columns": ["id"],
                "severity": "error",
                "status": "failed",
                "failing_rows": 1,
                "samples": [{"id": 1, "rows": 2}],
            }
        ],
    }
    mapper.map(Event("checks_finished", "j", RUN, audit))
    failed = mapper.map(
        Event(
            "job_failed",
            "j",
            RUN,
            {"error_type": "ChecksFailedError", "error_message": "1 output check failed"},
        )
    )

    data = json.loads(to_json(failed))
    assert schema_errors(data) == []
    assert data["eventType"] == "FAIL"
    (output,) = data["outputs"]
    assert output["facets"]["dataQualityAssertions"]["assertions"][0]["success"] is False

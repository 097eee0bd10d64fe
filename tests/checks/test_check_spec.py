"""Output checks as declared and configured: parsing, merging, validation before Spark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dwh.checks import (
    CheckStatus,
    Severity,
    accepted_values,
    format_table,
    not_null,
    parse_check,
    row_count,
    unique,
)
from dwh.checks.results import CheckResult, OutputAudit
from dwh.checks.spec import merge_checks
from dwh.config import FRAMEWORK_FIELDS, config_schema
from dwh.errors import ConfigError
from dwh.jobs.transform_images.transform_images_config import TransformImagesConfig
from dwh.jobs.transform_images.transform_images_job_factory import TransformImagesJobFactory

REPO = Path(__file__).resolve().parents[2]
CONFIG = {"raw_path": "raw.jsonl", "output_path": "out/images"}


def test_each_config_form_builds_its_check() -> None:
    assert parse_check({"unique": ["order_id"]}) == unique("order_id")
    assert parse_check({"unique": "order_id"}) == unique("order_id")
    assert parse_check({"not_null": ["a", "b"]}) == not_null("a", "b")
    assert parse_check(
        {"accepted_values": {"column": "status", "values": ["placed", "shipped"]}}
    ) == accepted_values("status", ["placed", "shipped"])
    assert parse_check({"row_count": {"min": 1, "max": 10}}) == row_count(1, 10)
    warned = parse_check({"expression": "amount >= 0", "severity": "warn"})
    assert (warned.kind, warned.sql, warned.severity) == ("expression", "amount >= 0", "warn")
    ref = parse_check({"relationships": {"column": "c", "to": "out/customers", "field": "id"}})
    assert (ref.columns, ref.to, ref.to_field) == (("c",), "out/customers", "id")


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (
            {"uniq": ["id"]},
            "unknown check 'uniq'; did you mean 'unique'? (checks: unique, not_null",
        ),
        (
            {"accepted_values": {"column": "status"}},
            'accepted_values on status needs a non-empty "values" list',
        ),
        ({"row_count": {"min": -1}}, "row_count's min must be a whole number >= 0, got -1"),
        (
            {"unique": ["id"], "severity": "fatal"},
            "severity must be 'error' or 'warn', got 'fatal'",
        ),
        ({"unique": ["id"], "not_null": ["id"]}, "a check names exactly one of"),
        ({"not_null": []}, "not_null needs one or more column names"),
    ],
    ids=["unknown", "no-values", "negative-min", "bad-severity", "two-kinds", "no-columns"],
)
def test_a_bad_check_is_one_clear_message(entry: dict, says: str) -> None:
    with pytest.raises(ValueError, match=None) as caught:
        parse_check(entry)
    assert says in str(caught.value)


def test_a_config_check_replaces_the_declared_one_of_the_same_identity() -> None:
    declared = [unique("id"), not_null("id")]
    configured = [unique("id").warn(), row_count(min=1)]

    merged = merge_checks(declared, configured)

    assert [(c.name, c.severity) for c in merged] == [
        ("unique(id)", Severity.WARN),
        ("not_null(id)", Severity.ERROR),
        ("row_count(1..)", Severity.ERROR),
    ]


def test_output_checks_is_a_framework_field_shown_last_in_the_schema() -> None:
    assert "output_checks" in FRAMEWORK_FIELDS
    schema = config_schema(TransformImagesConfig)
    assert list(schema["properties"])[-1] == "output_checks"
    assert schema["properties"]["output_checks"]["x-dwh-framework"] is True


def test_the_factory_merges_declared_and_configured_checks() -> None:
    config = {
        **CONFIG,
        "output_checks": {
            "output_path": [{"unique": ["image_id"], "severity": "warn"}, {"row_count": {"min": 1}}]
        },
    }
    factory = TransformImagesJobFactory(transform_images_job=config)

    checks = factory.checks_for(factory.parse_job_config(transform_images_job=config))

    assert [(c.name, c.severity.value) for c in checks["output_path"]] == [
        ("unique(image_id)", "warn"),
        ("not_null(image_id, url, content_hash, width, height, captured_at)", "error"),
        ("row_count(1..)", "error"),
    ]
    assert [c.name for c in checks["rejects_path"]] == ["not_null(raw, reject_reason)"]


def test_a_check_on_an_output_the_job_does_not_record_is_refused_with_the_outputs() -> None:
    config = {**CONFIG, "output_checks": {"output": [{"unique": ["image_id"]}]}}
    factory = TransformImagesJobFactory(transform_images_job=config)

    with pytest.raises(ConfigError) as caught:
        factory.parse_job_config(transform_images_job=config)

    assert caught.value.problems == [
        "output_checks: job 'transform_images' records no output 'output'; did you mean "
        "'output_path'? (its outputs: output_path, rejects_path)"
    ]


@pytest.mark.parametrize(
    ("checks", "says"),
    [
        ({"output_path": [{"uniq": ["image_id"]}]}, "unknown check 'uniq'"),
        ({"images": [{"unique": ["image_id"]}]}, "records no output 'images'"),
        (
            {"output_path": [{"accepted_values": {"column": "camera"}}]},
            'needs a non-empty "values" list',
        ),
    ],
    ids=["unknown-check", "unknown-output", "no-values"],
)
def test_bad_checks_exit_2_before_any_spark_session(
    tmp_path: Path, checks: dict, says: str
) -> None:
    """The generic entry, as production runs it: one line, exit 2, no JVM, nothing written."""
    config = {
        "raw_path": str(tmp_path / "raw.jsonl"),
        "output_path": str(tmp_path / "out"),
        "output_checks": checks,
    }
    code = (
        "import sys, runpy; sys.argv = sys.argv[1:]; "
        "runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            code,
            str(REPO / "scripts/glue/generic_entry.py"),
            "--module_name",
            "dwh.jobs.transform_images.transform_images_job_factory",
            "--transform_images_job",
            json.dumps(config),
            "--has_spark",
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )

    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert says in "\n".join(lines)
    assert "pyspark" not in done.stderr  # -X importtime lists every module imported
    assert not (tmp_path / "out").exists()


def test_the_table_says_each_checks_status_and_count() -> None:
    audit = OutputAudit(
        "output_path",
        "out/images",
        [
            CheckResult(unique("image_id"), 3, [{"image_id": "a", "rows": 2}]),
            CheckResult(not_null("url").warn(), 1),
            CheckResult(row_count(min=1), 0, observed=920),
        ],
        row_count=920,
    )
    assert [r.status for r in audit.results] == [
        CheckStatus.FAILED,
        CheckStatus.WARNED,
        CheckStatus.PASSED,
    ]

    assert format_table([audit.to_payload()]) == [
        "checks of output_path (out/images): 1 passed, 1 warned, 1 failed",
        "  failed  unique(image_id)  3 failing rows",
        "  warned  not_null(url)     1 failing row  [warn]",
        "  passed  row_count(1..)    0 failing rows (920 rows)",
    ]

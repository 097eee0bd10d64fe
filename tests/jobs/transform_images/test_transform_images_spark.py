"""transform_images on Spark: exact output and rejects, and a rerun replaces the batch."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.errors import JobFailedError
from dwh.jobs.transform_images.transform_images_job_factory import main

OUTPUT_SCHEMA = (
    "image_id STRING, url STRING, content_hash STRING, width INT, height INT, "
    "captured_at TIMESTAMP, camera STRING"
)


def record(image_id: str, sha: str, captured_at: str, **extra: object) -> str:
    return json.dumps(
        {
            "image_id": image_id,
            "url": f" HTTPS://Cdn.Example.COM/A/{image_id}.JPG ",
            "sha256": sha,
            "width": 1920,
            "height": 1080,
            "captured_at": captured_at,
            **extra,
        }
    )


def write_raw(folder: Path, *files: list[str]) -> str:
    folder.mkdir(parents=True)
    for n, lines in enumerate(files):
        (folder / f"part-{n}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(folder)


def run(raw_path: str, output_path: str) -> dict:
    config = {"raw_path": raw_path, "output_path": output_path}
    return main(transform_images_job=json.dumps(config), run_id="test-run")  # type: ignore[no-any-return]


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_lines_become_exact_rows_and_rejects_then_a_rerun_replaces_them(
    spark: SparkSession, tmp_path: Path
) -> None:
    bad_width = record("img-3", "c" * 64, "2026-11-24T10:00:00Z").replace("1920", "1920.5")
    surrogate = record("img-6", "f" * 64, "2026-11-24T10:00:00Z", camera="\ud800")
    raw = write_raw(
        tmp_path / "raw",
        [
            record("img-1", "A" * 64, "2026-11-24T23:30:00-08:00", camera="Pixel 8"),
            record("img-2", "b" * 64, "2026-11-25T00:10:00-08:00"),
            "{not json",
        ],
        [
            bad_width,
            record("img-4", "d" * 64, "2026-11-24T23:30:00"),
            record("img-5", "e" * 64, "2300-01-01T00:00:00Z"),  # past pandas' year 2262
            surrogate,
        ],
    )
    output = str(tmp_path / "transformed")
    metrics = run(raw, output)

    assert metrics["input_rows"] == 7
    assert metrics["output_rows"] == 3
    assert metrics["rejected_rows"] == 4
    assert metrics["rejects_path"] == output + "_rejects"
    images = spark.read.parquet(output)
    expected = spark.createDataFrame(
        [
            ("img-1", "https://cdn.example.com/A/img-1.JPG", "a" * 64, 1920, 1080,
             utc(2026, 11, 25, 7, 30), "Pixel 8"),
            ("img-2", "https://cdn.example.com/A/img-2.JPG", "b" * 64, 1920, 1080,
             utc(2026, 11, 25, 8, 10), None),
            ("img-5", "https://cdn.example.com/A/img-5.JPG", "e" * 64, 1920, 1080,
             utc(2300, 1, 1), None),
        ],
        OUTPUT_SCHEMA,
    )  # fmt: skip
    assertDataFrameEqual(images, expected, checkRowOrder=False)
    assert images.schema == expected.schema
    rejects = spark.read.parquet(output + "_rejects")
    assertDataFrameEqual(
        rejects,
        spark.createDataFrame(
            [
                ("{not json", "invalid_json"),
                (bad_width, "invalid_width"),
                (record("img-4", "d" * 64, "2026-11-24T23:30:00"), "invalid_captured_at"),
                (surrogate, "invalid_json"),
            ],
            "raw STRING, reject_reason STRING",
        ),
    )

    first = images.collect()
    assert run(raw, output) == metrics
    assertDataFrameEqual(spark.read.parquet(output), first)

    smaller = write_raw(tmp_path / "raw2", [record("img-9", "e" * 64, "2026-11-26T00:00:00Z")])
    assert run(smaller, output)["output_rows"] == 1
    assert [row.image_id for row in spark.read.parquet(output).collect()] == ["img-9"]
    assert spark.read.parquet(output + "_rejects").count() == 0

    # Empty input is refused before anything is written: the last batch stays.
    empty = write_raw(tmp_path / "raw3", [])
    (Path(empty) / "part-0.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(JobFailedError, match="is empty: no lines to read"):
        run(empty, output)
    assert [row.image_id for row in spark.read.parquet(output).collect()] == ["img-9"]
    # Visible folders only: each output keeps one hidden previous version.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "raw",
        "raw2",
        "raw3",
        "transformed",
        "transformed_rejects",
    ]

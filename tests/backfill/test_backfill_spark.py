"""A warm backfill of filter_images writes, row for row, what the dates run one by one write."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CLI
from lifecycle_support import job_env
from pyspark.sql import SparkSession
from pyspark.testing import assertDataFrameEqual

from dwh.errors import ExitCode
from dwh.jobs.filter_images.filter_images_job import partition_path
from dwh.jobs.filter_images.filter_images_job_factory import main as filter_main
from dwh.jobs.transform_images.transform_images_job_factory import main as transform_main
from examples.generate_images import generate_batches, write_batches

DAYS = [dt.date(2026, 11, 24) + dt.timedelta(days=n) for n in range(5)]
TIMEZONE = "America/Los_Angeles"


@pytest.fixture
def warm_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private reusable Spark Connect server for this test; stopped by pid at the end."""
    discovery = tmp_path / "connect" / "discovery.json"
    discovery.parent.mkdir(mode=0o700)
    env = job_env(
        tmp_path,
        SPARK_LOCAL_CONNECT_DISCOVERY=str(discovery),
        DWH_LOCK_DIR=str(tmp_path / "locks"),
    )
    try:
        yield env
    finally:
        subprocess.run(
            [sys.executable, "-m", "pyspark.sql.connect.local_server", "--stop"],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )


def test_a_warm_backfill_matches_the_dates_run_one_by_one_in_order(
    spark: SparkSession, tmp_path: Path, warm_env: dict[str, str]
) -> None:
    raw = write_batches(generate_batches(7, 300, DAYS), tmp_path / "raw")
    transformed = tmp_path / "transformed"
    for day in DAYS:
        transform_main(
            transform_images_job={
                "raw_path": str(raw[day]),
                "output_path": str(transformed / day.isoformat()),
            }
        )
    expected_rows = []
    for day in DAYS:  # the reference: each date on its own, oldest first
        metrics = filter_main(
            filter_images_job={
                "base_path": str(tmp_path / "one_by_one"),
                "timezone": TIMEZONE,
                "transform_output_path": str(transformed / day.isoformat()),
                "run_date": day.isoformat(),
            }
        )
        expected_rows.append(metrics["output_rows"])
    config = {
        "base_path": str(tmp_path / "backfill"),
        "timezone": TIMEZONE,
        "transform_output_path": str(transformed / "{run_date}"),
    }

    result = subprocess.run(
        [sys.executable, "-c", CLI, "backfill", "filter_images", "-c", json.dumps(config),
         "--from", DAYS[0].isoformat(), "--to", DAYS[-1].isoformat(), "--warm", "--json"],
        env=warm_env, cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["engine"] == "warm"
    assert [row["status"] for row in summary["dates"]] == ["succeeded"] * len(DAYS)
    assert [row["output_rows"] for row in summary["dates"]] == expected_rows
    assert expected_rows[1] > 0
    assert Path(warm_env["SPARK_LOCAL_CONNECT_DISCOVERY"]).is_file()  # the warm server ran
    for day in DAYS:
        assertDataFrameEqual(
            spark.read.parquet(partition_path(config["base_path"], day)),
            spark.read.parquet(partition_path(str(tmp_path / "one_by_one"), day)),
        )


def test_a_date_whose_checks_fail_stops_the_backfill_and_a_rerun_redoes_it(
    spark: SparkSession, tmp_path: Path, warm_env: dict[str, str]
) -> None:
    """The second date's output is too small for ``row_count(100..)``: nothing of it is
    published, the backfill stops there (exit 4); a rerun with ``--keep-going`` skips the
    date that succeeded, reruns the failed one and goes past it."""
    days = DAYS[:3]
    batches = generate_batches(7, 300, days)
    batches[days[1]] = batches[days[1]][:50]
    raw = write_batches(batches, tmp_path / "raw")
    transformed = tmp_path / "transformed"
    for day in days:
        transform_main(
            transform_images_job={
                "raw_path": str(raw[day]),
                "output_path": str(transformed / day.isoformat()),
            }
        )
    config = {
        "base_path": str(tmp_path / "filtered"),
        "timezone": TIMEZONE,
        "transform_output_path": str(transformed / "{run_date}"),
        "output_checks": {"filtered_output_path": [{"row_count": {"min": 100}}]},
    }

    def backfill(*extra: str) -> tuple[int, list[dict[str, object]]]:
        result = subprocess.run(
            [sys.executable, "-c", CLI, "backfill", "filter_images", "-c", json.dumps(config),
             "--from", days[0].isoformat(), "--to", days[-1].isoformat(), "--warm", "--json",
             *extra],
            env=warm_env, cwd=tmp_path, capture_output=True, text=True, timeout=900,
            check=False,
        )  # fmt: skip
        return result.returncode, json.loads(result.stdout)["dates"]

    code, rows = backfill()

    assert code == ExitCode.CHECKS_FAILED
    assert [row["status"] for row in rows] == ["succeeded", "failed", "not run"]
    assert str(rows[1]["error"]).startswith("ChecksFailedError")
    assert "row_count(100..) on filtered_output_path" in str(rows[1]["error"])
    assert Path(partition_path(config["base_path"], days[0])).is_dir()
    assert not Path(partition_path(config["base_path"], days[1])).exists()

    code, rows = backfill("--keep-going")

    assert code == ExitCode.CHECKS_FAILED
    assert [row["status"] for row in rows] == ["skipped", "failed", "succeeded"]
    assert not Path(partition_path(config["base_path"], days[1])).exists()

    # A looser check is another config (another hash): every date runs, all publish.
    config["output_checks"] = {"filtered_output_path": [{"row_count": {"min": 10}}]}
    code, rows = backfill()

    assert code == ExitCode.OK
    assert [row["status"] for row in rows] == ["succeeded"] * 3
    assert Path(partition_path(config["base_path"], days[1])).is_dir()

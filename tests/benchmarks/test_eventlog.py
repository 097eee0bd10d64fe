"""Spans of a run read from a Spark event log: the lines Spark writes, in a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.eventlog import event_log_conf, spans

STARTED = 1_000.0


def write_log(folder: Path, events: list[dict[str, object]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(event) for event in events]
    (folder / "local-1764000000000").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_run_is_cut_at_the_application_and_job_boundaries(tmp_path: Path) -> None:
    write_log(
        tmp_path,
        [
            {"Event": "SparkListenerLogStart", "Spark Version": "4.3.0"},
            {"Event": "SparkListenerApplicationStart", "Timestamp": 1_003_000},
            {"Event": "SparkListenerJobStart", "Job ID": 0, "Submission Time": 1_005_000},
            {"Event": "SparkListenerTaskEnd", "Stage ID": 0},
            {"Event": "SparkListenerJobEnd", "Job ID": 0, "Completion Time": 1_006_000},
            {"Event": "SparkListenerJobStart", "Job ID": 1, "Submission Time": 1_006_500},
            {"Event": "SparkListenerJobEnd", "Job ID": 1, "Completion Time": 1_012_000},
            {"Event": "SparkListenerApplicationEnd", "Timestamp": 1_012_250},
        ],
    )

    got = spans(tmp_path, started=STARTED, ended=1_013.0)

    assert got == pytest.approx(
        {"launch": 3.0, "setup": 2.0, "jobs": 7.0, "finish": 0.25, "exit": 0.75, "spark_jobs": 2}
    )


def test_an_unfinished_or_missing_log_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="found 0"):
        spans(tmp_path, started=STARTED, ended=STARTED + 1)
    write_log(tmp_path, [{"Event": "SparkListenerApplicationStart", "Timestamp": 1_001_000}])
    with pytest.raises(RuntimeError, match="lacks"):
        spans(tmp_path, started=STARTED, ended=STARTED + 1)


def test_the_conf_asks_for_one_plain_file_in_the_folder(tmp_path: Path) -> None:
    conf = event_log_conf(tmp_path / "logs")

    assert (tmp_path / "logs").is_dir()
    assert conf["spark.eventLog.dir"] == (tmp_path / "logs").resolve().as_uri()
    assert conf["spark.eventLog.compress"] == conf["spark.eventLog.rolling.enabled"] == "false"

"""dwh.runs.logs: one file per launched run, bounded in count and in size."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from dwh.runs.logs import (
    DEFAULT_KEEP,
    RunLogWriter,
    log_keep,
    log_path,
    logs_dir,
    read_log,
)


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose $DWH_HOME is a fresh folder."""
    return {"DWH_HOME": str(tmp_path / "home")}


def _write(run_id: str, lines: list[str], env: dict[str, str], **kwargs: int) -> RunLogWriter:
    writer = RunLogWriter(run_id, environ=env, **kwargs)
    for line in lines:
        writer.write(line)
    writer.close()
    return writer


def test_a_written_log_reads_back_line_by_line(home: dict[str, str]) -> None:
    lines = ["INFO SparkContext: Running Spark version 4.3.0", "", "ünïcode ✓", "password=***"]

    writer = _write("20261125T183000Z-a1b2c3", lines, home)

    assert writer.path == Path(home["DWH_HOME"]) / "logs" / "20261125T183000Z-a1b2c3.log"
    assert log_path("20261125T183000Z-a1b2c3", home) == writer.path
    assert logs_dir(home) == writer.path.parent
    assert read_log("20261125T183000Z-a1b2c3", home) == lines


def test_an_unknown_run_and_a_run_that_printed_nothing_have_no_log(home: dict[str, str]) -> None:
    _write("silent", [], home)

    assert read_log("never-ran", home) is None
    assert read_log("silent", home) is None
    assert not logs_dir(home).exists()  # nothing printed: not even the folder


@pytest.mark.parametrize("run_id", ["../escape", "a/b", ".hidden", "", "x" * 201])
def test_a_run_id_that_cannot_name_a_file_stores_and_reads_nothing(
    home: dict[str, str], run_id: str
) -> None:
    writer = _write(run_id, ["a line"], home)

    assert writer.path is None and log_path(run_id, home) is None
    assert read_log(run_id, home) is None
    assert not Path(home["DWH_HOME"]).exists()


def test_the_oldest_logs_go_when_a_new_one_starts(home: dict[str, str]) -> None:
    for number in range(5):
        _write(f"run-{number}", [f"line {number}"], home, keep=3)
        os.utime(log_path(f"run-{number}", home), (1_000_000 + number, 1_000_000 + number))

    assert sorted(p.name for p in logs_dir(home).glob("*.log")) == [
        "run-2.log",
        "run-3.log",
        "run-4.log",
    ]
    assert read_log("run-4", home) == ["line 4"]
    assert read_log("run-0", home) is None


def test_keep_comes_from_dwh_log_keep_and_zero_stores_nothing(home: dict[str, str]) -> None:
    assert log_keep(home) == DEFAULT_KEEP == 500
    assert log_keep({**home, "DWH_LOG_KEEP": " 7 "}) == 7

    off = {**home, "DWH_LOG_KEEP": "0"}
    writer = _write("quiet", ["not kept"], off)

    assert writer.path is None
    assert read_log("quiet", off) is None


@pytest.mark.parametrize("raw", ["many", "-1", "2.5"])
def test_a_bad_dwh_log_keep_is_one_warning_and_the_default(
    home: dict[str, str], raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dwh.runs.logs"):
        assert log_keep({**home, "DWH_LOG_KEEP": raw}) == DEFAULT_KEEP

    assert [r.getMessage() for r in caplog.records] == [
        f"dwh: warning: DWH_LOG_KEEP={raw!r} is not a whole number >= 0 (0 stores no logs); "
        "keeping 500"
    ]


def test_a_log_past_its_cap_ends_with_a_truncation_line(home: dict[str, str]) -> None:
    lines = [f"line {n:03d}" for n in range(100)]  # 9 bytes each with the newline

    writer = _write("long", lines, home, max_bytes=50)

    assert read_log("long", home) == [*lines[:5], "[log truncated at 50 bytes]"]
    assert writer.path is not None and writer.path.stat().st_size < 50 + 40


def test_the_default_cap_is_20_mb_and_said_so(home: dict[str, str]) -> None:
    writer = RunLogWriter("big", environ=home)
    assert writer.max_bytes == 20 * 1024 * 1024

    capped = _write("mib", ["x" * 100] * 20_000, home, max_bytes=1024 * 1024)

    stored = read_log("mib", home)
    assert stored is not None and stored[-1] == "[log truncated at 1 MB]"
    assert capped.path is not None and capped.path.stat().st_size <= 1024 * 1024 + 40


def test_a_failing_write_stops_the_log_quietly(
    home: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    Path(home["DWH_HOME"]).mkdir()
    (Path(home["DWH_HOME"]) / "logs").write_text("a file where the folder should be")

    with caplog.at_level(logging.DEBUG, logger="dwh.runs.logs"):
        writer = _write("blocked", ["one", "two"], home)
        writer.write("after close")

    assert read_log("blocked", home) is None
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "not stored from here on" in caplog.records[0].getMessage()


def test_lines_after_close_are_dropped_and_closing_twice_is_fine(home: dict[str, str]) -> None:
    writer = _write("closed", ["kept"], home)
    writer.write("dropped")
    writer.close()

    assert read_log("closed", home) == ["kept"]


def test_threads_writing_at_once_never_mix_lines(home: dict[str, str]) -> None:
    writer = RunLogWriter("threads", environ=home)

    def write(tag: str) -> None:
        for number in range(500):
            writer.write(f"{tag}-{number:04d}-" + tag * 40)

    threads = [threading.Thread(target=write, args=(tag,)) for tag in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()

    stored = read_log("threads", home)
    assert stored is not None and len(stored) == 2000
    assert all(line == f"{line[0]}-{line[2:6]}-" + line[0] * 40 for line in stored)

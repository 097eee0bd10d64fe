"""The one child command line, and its environment."""

from __future__ import annotations

import sys
from pathlib import Path

from dwh.launch import ENTRY_PATH, RunRequest, child_command, child_env

NOOP = "dwh.jobs.noop.noop_job_factory"


def test_the_command_is_the_production_entry() -> None:
    request = RunRequest("noop", NOOP, {"a": 1}, False, "r-1")

    argv = child_command(request, 7, "@/dev/fd/8")

    assert ENTRY_PATH.is_file()
    assert argv[:2] == [sys.executable, str(ENTRY_PATH)]
    assert argv[2:] == [
        "--module_name",
        NOOP,
        "--noop_job",
        "@/dev/fd/8",
        "--has_spark",
        "false",
        "--run_id",
        "r-1",
        "--events",
        "fd:7",
    ]


def test_remote_extra_args_and_the_job_default_for_spark() -> None:
    request = RunRequest(
        "noop",
        NOOP,
        {},
        None,
        "r-2",
        spark_remote="sc://127.0.0.1:15002",
        extra_args=("--backfill_id", "b-1"),
    )

    argv = child_command(request, 3, "@/dev/fd/4")

    assert "--has_spark" not in argv
    assert argv[-4:] == ["--spark_remote", "sc://127.0.0.1:15002", "--backfill_id", "b-1"]


def test_without_the_scripts_folder_the_entry_runs_through_python_c(tmp_path: Path) -> None:
    request = RunRequest("noop", NOOP, {}, True, "r-3")

    argv = child_command(request, 5, "@/dev/fd/6", entry=tmp_path / "missing.py")

    assert argv[1:3] == ["-c", "import sys; from dwh.entry import main; sys.exit(main())"]
    assert argv[argv.index("--has_spark") + 1] == "true"


def test_the_config_is_never_on_the_command_line() -> None:
    request = RunRequest("noop", NOOP, {"password": "hunter2-secret"}, False, "r-4")

    assert not any("hunter2" in part for part in child_command(request, 5, "@/dev/fd/6"))


def test_the_environment_overlay_wins() -> None:
    request = RunRequest("noop", NOOP, {}, False, "r-5", env={"DWH_RUN_STORE": "off"})

    env = child_env(request)

    assert env["DWH_RUN_STORE"] == "off"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["PATH"]

"""Bad backfill input is one line and exit 2 with nothing run; a dry run writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DAYS, Env
from lifecycle_support import SUPPORT_DIR, TEST_JOB_PACKAGES

from dwh.cli import cli
from dwh.errors import ExitCode

FILTER_CONFIG = {
    "base_path": "filtered",
    "timezone": "America/Los_Angeles",
    "transform_output_path": "transformed/{run_date:%Y/%m/%d}",
}
BAD_INPUTS = {
    "no date field": (
        ["backfill", "noop", "-c", "{}", "--from", DAYS[0], "--to", DAYS[1]],
        "job 'noop' cannot be backfilled by date: its config has no field 'run_date'; "
        "pass --date-field with one of:",
    ),
    "unknown --date-field": (
        ["backfill", "dated", "-c", '{"out_dir": "o"}', "--date-field", "day",
         "--from", DAYS[0], "--to", DAYS[1]],
        "its config has no field 'day'",
    ),
    "a placeholder naming no date field": (
        ["backfill", "dated", "-c", '{"out_dir": "o/{date}"}', "--from", DAYS[0], "--to", DAYS[1]],
        "config field 'out_dir': placeholder {date} names no date field; "
        "valid placeholders: {run_date}",
    ),
    "--to before --from": (
        ["backfill", "dated", "-c", '{"out_dir": "o"}', "--from", DAYS[1], "--to", DAYS[0]],
        f"--to {DAYS[0]} is before --from {DAYS[1]}",
    ),
    "a malformed date": (
        ["backfill", "dated", "-c", '{"out_dir": "o"}', "--from", "11/01/2026", "--to", DAYS[0]],
        "--from must be a date as YYYY-MM-DD, got '11/01/2026'",
    ),
    "a date's config invalid": (
        ["backfill", "dated", "-c", '{"out_dir": "o", "sleep_seconds": -1}',
         "--from", DAYS[0], "--to", DAYS[1]],
        "invalid config for job 'dated': 'sleep_seconds': Input should be greater than or "
        f"equal to 0; got -1 (date {DAYS[0]})",
    ),
    "--max-parallel for dependent dates": (
        ["backfill", "filter_images", "-c", json.dumps(FILTER_CONFIG), "--max-parallel", "2",
         "--from", DAYS[0], "--to", DAYS[1]],
        "--max-parallel 2: job 'filter_images' does not declare its dates independent",
    ),
    "an unknown --reprocess": (
        ["backfill", "dated", "-c", '{"out_dir": "o"}', "--reprocess", "some",
         "--from", DAYS[0], "--to", DAYS[1]],
        "'some' is not one of 'all', 'failed', 'none'",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_one_line_and_exit_2_with_nothing_run(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("DWH_JOB_PACKAGES", TEST_JOB_PACKAGES)
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(cli, args, catch_exceptions=False)

    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []  # no run store, no log, no output


PROBE = """
import json, sys
from dwh.cli import main
code = main(["backfill", "filter_images", "-c", sys.argv[1], "--from", "2026-11-01",
             "--to", "2026-11-05", "--dry-run", "--json"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j"))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_a_dry_run_of_a_spark_job_starts_no_jvm_and_writes_nothing(tmp_path: Path) -> None:
    env = {**Env(tmp_path).vars, "DWH_LOCK_DIR": str(tmp_path / "locks")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(FILTER_CONFIG)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    *plan_lines, probe_line = result.stdout.strip().splitlines()
    assert json.loads(probe_line) == {"code": 0, "heavy": []}
    plan = json.loads("\n".join(plan_lines))
    assert [row["date"] for row in plan["dates"]] == DAYS
    assert plan["dates"][2]["config"] == {
        **FILTER_CONFIG,
        "transform_output_path": "transformed/2026/11/03",
        "run_date": "2026-11-03",
    }
    assert {row["latest_status"] for row in plan["dates"]} == {"never"}
    assert list(tmp_path.iterdir()) == []  # no run store, no locks, no output


def test_a_dry_run_shows_each_dates_latest_status_and_runs_nothing(env: Env) -> None:
    config = env.config(fail_on=[DAYS[2]])
    assert env.backfill(config=config).returncode == ExitCode.JOB_FAILED
    runs_before, order_before = env.runs(), env.order()

    result = env.backfill("--dry-run", "--json", config=config)

    assert result.returncode == ExitCode.OK, result.stderr
    rows = json.loads(result.stdout)["dates"]
    assert [row["latest_status"] for row in rows] == [
        "succeeded", "succeeded", "failed", "never", "never",
    ]  # fmt: skip
    assert [row["action"] for row in rows] == ["skipped", "skipped", "run", "run", "run"]
    assert env.runs() == runs_before and env.order() == order_before
    table = env.backfill("--dry-run", config=config)
    assert "3 of 5 dates would run" in table.stdout and "nothing ran" in table.stdout

"""``dwh.notebook.backfill``: the same backfill from a notebook, its summary a DataFrame."""

from __future__ import annotations

import pytest
from conftest import DAYS, Env

from dwh.errors import ExitCode, UsageError
from dwh.notebook import backfill


def test_backfill_returns_the_summary_as_a_dataframe_and_resumes(in_process: Env) -> None:
    config = {"out_dir": str(in_process.out / "{run_date:%Y/%m}"), "fail_on": [DAYS[3]]}

    first = backfill("dated", config, DAYS[0], DAYS[-1], keep_going=True)

    assert list(first.columns) == ["date", "status", "seconds", "output_rows", "run_id", "error"]
    assert first["status"].tolist() == ["succeeded"] * 3 + ["failed", "succeeded"]
    assert first.attrs["exit_code"] == ExitCode.JOB_FAILED
    plan = backfill("dated", config, DAYS[0], DAYS[-1], dry_run=True)
    assert plan["action"].tolist() == ["skipped"] * 3 + ["run", "skipped"]
    assert plan["latest_status"].tolist()[3] == "failed"
    again = backfill("dated", config, DAYS[0], DAYS[-1], backwards=True)
    assert again["status"].tolist() == ["skipped", "failed", "skipped", "skipped", "skipped"]
    assert again.attrs["skipped"] == 4
    assert in_process.order() == [*DAYS, DAYS[3]]


def test_bad_input_raises_the_command_lines_error(in_process: Env) -> None:
    with pytest.raises(UsageError, match=r"placeholder \{when\} names no date field"):
        backfill("dated", {"out_dir": "o/{when}"}, DAYS[0], DAYS[1])

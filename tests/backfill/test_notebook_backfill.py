"""``dwh.notebook.backfill``: the same backfill from a notebook, its summary a DataFrame."""

from __future__ import annotations

import os

import pytest
from conftest import DAYS, Env
from lifecycle_support import SUPPORT_DIR

from dwh.errors import ExitCode, UsageError
from dwh.notebook import backfill


@pytest.fixture
def nb_env(env: Env, monkeypatch: pytest.MonkeyPatch) -> Env:
    """This process's environment set like the subprocess tests' (the dated job allowed)."""
    for name in ("DWH_HOME", "DWH_JOB_PACKAGES", "PYTHONPATH", "DWH_LOCK_DIR"):
        monkeypatch.setenv(name, env.vars[name])
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    assert os.environ["DWH_HOME"] == str(env.home)
    return env


def test_backfill_returns_the_summary_as_a_dataframe_and_resumes(nb_env: Env) -> None:
    config = {"out_dir": str(nb_env.out / "{run_date:%Y/%m}"), "fail_on": [DAYS[3]]}

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
    assert nb_env.order() == [*DAYS, DAYS[3]]


def test_bad_input_raises_the_command_lines_error(nb_env: Env) -> None:
    with pytest.raises(UsageError, match=r"placeholder \{when\} names no date field"):
        backfill("dated", {"out_dir": "o/{when}"}, DAYS[0], DAYS[1])

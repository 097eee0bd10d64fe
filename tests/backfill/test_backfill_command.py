"""``dwh backfill`` end to end on the ``dated`` test job (no JVM): each date its own run."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from conftest import DAYS, Env, kill_tree, wait_for

from dwh.errors import ExitCode
from dwh.events import RunStatus


def succeeded_per_date(env: Env) -> dict[str, int]:
    counts = dict.fromkeys(DAYS, 0)
    for run in env.runs(status=RunStatus.SUCCEEDED):
        counts[run.config["run_date"]] += 1
    return counts


def test_every_date_runs_once_in_order_carrying_the_backfill_id(env: Env) -> None:
    result = env.backfill("--backfill-id", "bf-test", "--json")

    assert result.returncode == ExitCode.OK, result.stderr
    summary = json.loads(result.stdout)
    assert [row["date"] for row in summary["dates"]] == DAYS
    assert {row["status"] for row in summary["dates"]} == {"succeeded"}
    assert [row["output_rows"] for row in summary["dates"]] == [1] * 5  # len("x")
    assert env.order() == DAYS
    runs = env.runs()
    assert [run.config["run_date"] for run in runs] == DAYS
    assert {run.backfill_id for run in runs} == {"bf-test"}
    assert all((env.out / "2026" / "11" / f"{day}.txt").read_text() == "x" for day in DAYS)
    listed = env.dwh("runs", "--backfill", "bf-test", "--json")
    assert sorted(run["run_id"] for run in json.loads(listed.stdout)) == sorted(
        row["run_id"] for row in summary["dates"]
    )
    assert json.loads(env.dwh("runs", "--backfill", "bf-other", "--json").stdout) == []
    table = env.dwh("runs", "--backfill", "bf-test").stdout
    assert "backfill" in table and table.count("bf-test") == 5


def test_backwards_runs_the_newest_date_first(env: Env) -> None:
    result = env.backfill("--backwards")

    assert result.returncode == ExitCode.OK, result.stderr
    assert env.order() == DAYS[::-1]


def test_progress_lines_and_summary_table_are_printed(env: Env) -> None:
    result = env.backfill()

    assert result.returncode == ExitCode.OK, result.stderr
    for day in DAYS:
        assert f"{day}  succeeded" in result.stderr  # one line per finished date
    assert "5 dates (5 to run, 0 skipped)" in result.stderr
    assert "5 succeeded, 0 skipped" in result.stdout  # the summary table's title
    assert all(day in result.stdout for day in DAYS)


def test_the_first_failed_date_stops_the_backfill_with_exit_1(env: Env) -> None:
    result = env.backfill("--json", config=env.config(fail_on=[DAYS[2]]))

    assert result.returncode == ExitCode.JOB_FAILED
    statuses = [row["status"] for row in json.loads(result.stdout)["dates"]]
    assert statuses == ["succeeded", "succeeded", "failed", "not run", "not run"]
    assert env.order() == DAYS[:3]
    errors = [row["error"] for row in json.loads(result.stdout)["dates"]]
    assert errors[2] == f"RuntimeError: asked to fail on {DAYS[2]}"


def test_keep_going_runs_past_a_failing_date(env: Env) -> None:
    result = env.backfill("--keep-going", "--json", config=env.config(fail_on=[DAYS[1]]))

    assert result.returncode == ExitCode.JOB_FAILED
    statuses = [row["status"] for row in json.loads(result.stdout)["dates"]]
    assert statuses == ["succeeded", "failed", "succeeded", "succeeded", "succeeded"]
    assert env.order() == DAYS


def test_a_rerun_skips_succeeded_dates_and_redoes_the_failed_one(env: Env) -> None:
    config = env.config(fail_on=[DAYS[2]])
    assert env.backfill(config=config).returncode == ExitCode.JOB_FAILED

    # The same config and command again: days 1-2 are done; day 3 fails again.
    again = env.backfill("--json", config=config)
    rows = json.loads(again.stdout)
    assert [row["status"] for row in rows["dates"]][:3] == ["skipped", "skipped", "failed"]
    assert rows["skipped"] == 2
    assert env.order() == [*DAYS[:3], DAYS[2]]

    # --reprocess none leaves the failed date alone; only never-run dates run.
    none = env.backfill("--json", "--reprocess", "none", config=config)
    statuses = [row["status"] for row in json.loads(none.stdout)["dates"]]
    assert statuses == ["skipped", "skipped", "skipped", "succeeded", "succeeded"]
    assert none.returncode == ExitCode.OK


def test_a_changed_config_is_a_new_config_hash_so_nothing_is_skipped(env: Env) -> None:
    assert env.backfill().returncode == ExitCode.OK
    result = env.backfill("--json", config=env.config(label="y"))

    assert json.loads(result.stdout)["skipped"] == 0
    assert succeeded_per_date(env) == dict.fromkeys(DAYS, 2)


def test_reprocess_all_reruns_every_date(env: Env) -> None:
    assert env.backfill().returncode == ExitCode.OK
    skipped = json.loads(env.backfill("--json").stdout)
    assert skipped["skipped"] == 5 and env.order() == DAYS

    result = env.backfill("--reprocess", "all", "--json")

    assert result.returncode == ExitCode.OK
    assert json.loads(result.stdout)["skipped"] == 0
    assert env.order() == DAYS + DAYS
    assert succeeded_per_date(env) == dict.fromkeys(DAYS, 2)


def test_a_backfill_killed_after_its_second_date_resumes_without_rerunning_them(
    env: Env, started: list[subprocess.Popen[str]]
) -> None:
    proc = env.start(
        "backfill", "dated", "-c", env.config(sleep_seconds=1.5), "--from", DAYS[0],
        "--to", DAYS[-1],
    )  # fmt: skip
    started.append(proc)
    wait_for(lambda: succeeded_per_date(env)[DAYS[1]] == 1, what="the second date to succeed")
    kill_tree(proc)  # the backfill and the date it was running, as a lost machine would
    assert succeeded_per_date(env)[DAYS[2]] == 0

    result = env.backfill("--json", config=env.config(sleep_seconds=1.5))

    assert result.returncode == ExitCode.OK, result.stderr
    rows = json.loads(result.stdout)
    assert [row["status"] for row in rows["dates"]][:2] == ["skipped", "skipped"]
    assert rows["skipped"] == 2
    assert succeeded_per_date(env) == dict.fromkeys(DAYS, 1)
    assert env.order().count(DAYS[0]) == 1 and env.order().count(DAYS[1]) == 1


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_cancel_ends_the_current_date_as_cancelled_and_starts_no_more(
    env: Env, started: list[subprocess.Popen[str]], sig: signal.Signals
) -> None:
    proc = env.start(
        "backfill", "dated", "-c", env.config(sleep_seconds=30), "--from", DAYS[0],
        "--to", DAYS[-1], "--json",
    )  # fmt: skip
    started.append(proc)
    wait_for(lambda: env.order() == DAYS[:1], what="the first date to start")

    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)

    assert proc.returncode == ExitCode.CANCELLED, stderr
    summary = json.loads(stdout)
    assert summary["cancelled"] is True
    statuses = [row["status"] for row in summary["dates"]]
    assert statuses == ["cancelled", "not run", "not run", "not run", "not run"]
    assert env.order() == DAYS[:1]
    assert not (env.out / "2026" / "11" / f"{DAYS[0]}.txt").exists()
    assert [run.status for run in env.runs()] == [RunStatus.CANCELLED]


def test_an_overlapping_backfill_is_refused_naming_the_other_backfill(
    env: Env, started: list[subprocess.Popen[str]]
) -> None:
    first = env.start(
        "backfill", "dated", "-c", env.config(sleep_seconds=30), "--from", DAYS[0],
        "--to", DAYS[-1], "--backfill-id", "bf-first",
    )  # fmt: skip
    started.append(first)
    wait_for(lambda: env.order() == DAYS[:1], what="the first backfill's first date")

    second = env.backfill("--backfill-id", "bf-second", "--json")

    assert second.returncode == ExitCode.JOB_FAILED
    row = json.loads(second.stdout)["dates"][0]
    assert row["status"] == RunStatus.REJECTED
    assert "of backfill bf-first" in row["error"] and "(backfill bf-second)" in row["error"]
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=60)


def test_max_parallel_runs_independent_dates_at_once(env: Env) -> None:
    result = env.backfill("--max-parallel", "3", "--json", config=env.config(sleep_seconds=1))

    assert result.returncode == ExitCode.OK, result.stderr
    assert {row["status"] for row in json.loads(result.stdout)["dates"]} == {"succeeded"}
    runs = env.runs()
    overlapping = sum(
        1
        for a in runs
        for b in runs
        if a.run_id < b.run_id and (a.started_at or "") < (b.ended_at or "")
        and (b.started_at or "") < (a.ended_at or "")
    )  # fmt: skip
    assert overlapping >= 1

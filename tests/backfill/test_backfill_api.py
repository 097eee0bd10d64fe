"""The Python face a UI uses: callbacks per date, and cancel from another thread."""

from __future__ import annotations

import threading

from conftest import DAYS, Env, wait_for

from dwh.backfill import NOT_RUN, Backfill, DatePlan, DateResult, plan_backfill
from dwh.errors import ExitCode
from dwh.events import RunStatus
from dwh.launch import JobRun, launch


def test_callbacks_see_each_date_start_and_finish_in_order(in_process: Env) -> None:
    plan = plan_backfill("dated", in_process.config(), DAYS[0], DAYS[2], backwards=True)
    seen: list[str] = []

    def on_start(date: DatePlan) -> None:
        seen.append(f"start {date.day}")

    def on_finish(result: DateResult) -> None:
        seen.append(f"{result.status} {result.day}")

    result = Backfill(plan, on_start=on_start, on_finish=on_finish).run()

    assert result.exit_code == ExitCode.OK
    assert seen == [
        f"{what} {day}" for day in DAYS[2::-1] for what in ("start", RunStatus.SUCCEEDED)
    ]


def test_cancel_from_another_thread_cancels_every_running_date(in_process: Env) -> None:
    plan = plan_backfill(
        "dated", in_process.config(sleep_seconds=30), DAYS[0], DAYS[-1], max_parallel=2
    )
    backfill = Backfill(plan)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(backfill.run()))
    worker.start()
    wait_for(lambda: len(in_process.order()) == 2, what="two dates to start")

    backfill.cancel()
    worker.join(timeout=60)

    assert not worker.is_alive()
    (result,) = outcome
    statuses = [date.status for date in result.dates]  # type: ignore[attr-defined]
    assert statuses == [RunStatus.CANCELLED] * 2 + [NOT_RUN] * 3
    assert result.exit_code == ExitCode.CANCELLED  # type: ignore[attr-defined]
    assert sorted(run.status for run in in_process.runs()) == [RunStatus.CANCELLED] * 2


def test_cancel_reaches_only_the_backfills_own_dates(in_process: Env) -> None:
    # Another run this process launched, as the TUI's run console does beside a backfill.
    other_config = {
        "run_date": "2026-10-01",
        "out_dir": str(in_process.root / "other"),
        "sleep_seconds": 4,
    }
    other: list[JobRun] = []
    other_thread = threading.Thread(target=lambda: other.append(launch("dated", other_config)))
    other_thread.start()
    plan = plan_backfill("dated", in_process.config(sleep_seconds=30), DAYS[0], DAYS[1])
    backfill = Backfill(plan)
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(backfill.run()))
    worker.start()
    wait_for(lambda: len(in_process.order()) == 1, what="the first date to start")

    backfill.cancel()
    worker.join(timeout=60)
    other_thread.join(timeout=60)

    (result,) = outcome
    assert [date.status for date in result.dates] == [RunStatus.CANCELLED, NOT_RUN]  # type: ignore[attr-defined]
    (other_run,) = other
    assert other_run.status == RunStatus.SUCCEEDED

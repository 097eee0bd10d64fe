"""``dwh backfill JOB --config C --from DATE --to DATE``: one ordinary run per date.

The plan (every date, its resolved config, its latest run) is made and validated
before anything starts, so a bad option, date field, placeholder or config is one line
and exit 2 with nothing run. ``--dry-run`` prints the plan and stops there: it writes
nothing and starts no Spark. Otherwise each date runs through the generic entry, with
a progress bar (done/total, the current date, an ETA), one line per finished date and
a summary table at the end. Exit 0 when every date that ran succeeded, 1 when one did
not, 130 when cancelled (Ctrl+C or SIGTERM).
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from dwh.backfill import (
    NOT_RUN,
    SKIPPED,
    Backfill,
    BackfillPlan,
    BackfillResult,
    DatePlan,
    DateResult,
    Engine,
    Reprocess,
    plan_backfill,
)
from dwh.backfill import log_path as default_log_path
from dwh.cli.output import console, echo_json
from dwh.config_file import read_config_arg
from dwh.events import RunStatus
from dwh.redaction import redact_config

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

_STYLE = {
    RunStatus.SUCCEEDED: "green",
    RunStatus.FAILED: "red",
    RunStatus.REJECTED: "red",
    RunStatus.LOST: "red",
    RunStatus.CANCELLED: "magenta",
    SKIPPED: "cyan",
    NOT_RUN: "dim",
    "never": "dim",
}


@click.command()
@click.argument("job")
@click.option(
    "--config", "-c", "config", required=True, help="JSON file, inline JSON, or - for stdin."
)
@click.option("--from", "date_from", required=True, metavar="DATE", help="First date, YYYY-MM-DD.")
@click.option("--to", "date_to", required=True, metavar="DATE", help="Last date (included).")
@click.option(
    "--date-field", metavar="FIELD", help="The config field set to each date [default: run_date]."
)
@click.option("--backwards", is_flag=True, help="Run the newest date first.")
@click.option(
    "--warm/--cold",
    "warm",
    default=None,
    help="One warm Spark Connect server for every date, or a fresh process's own Spark "
    "per date [default: warm when a warm server runs, else cold].",
)
@click.option(
    "--max-parallel",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Dates at once; only for jobs whose dates are independent.",
)
@click.option(
    "--reprocess",
    type=click.Choice([rule.value for rule in Reprocess]),
    default=Reprocess.FAILED.value,
    show_default=True,
    help="Dates that already ran with the same config: redo all, only the failed, or none.",
)
@click.option("--dry-run", is_flag=True, help="Print each date's config and latest run; run none.")
@click.option("--keep-going", is_flag=True, help="Go on past a failed date.")
@click.option("--backfill-id", metavar="ID", help="Use this backfill id instead of a fresh one.")
@click.option(
    "--log",
    "log_path",
    metavar="PATH",
    help="Where the dates' own output (Spark's log) goes, - for stderr "
    "[default: $DWH_HOME/backfills/ID.log].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan or summary as JSON.")
def backfill(
    job: str,
    config: str,
    date_from: str,
    date_to: str,
    date_field: str | None,
    backwards: bool,
    warm: bool | None,
    max_parallel: int,
    reprocess: str,
    dry_run: bool,
    keep_going: bool,
    backfill_id: str | None,
    log_path: str | None,
    as_json: bool,
) -> None:
    """Run JOB once per date from --from to --to, in order, skipping dates already done."""
    plan = plan_backfill(
        job,
        read_config_arg(config, name="--config"),
        date_from,
        date_to,
        date_field=date_field,
        backwards=backwards,
        reprocess=reprocess,
        max_parallel=max_parallel,
        backfill_id=backfill_id,
    )
    if dry_run:
        _print_plan(plan, as_json)
        return
    engine = Engine.from_warm(warm)
    with ExitStack() as stack:
        log = _open_log(stack, plan, log_path)
        result = _run(plan, engine, keep_going, log, as_json)
    if as_json:
        echo_json(summary_dict(result))
    else:
        _print_summary(result, log_path or str(default_log_path(plan.backfill_id)))
    sys.exit(result.exit_code)


def summary_dict(result: BackfillResult) -> dict[str, Any]:
    """The summary as JSON-ready data."""
    return {
        "backfill_id": result.backfill_id,
        "job": result.plan.job.name,
        "engine": result.engine.value if result.plan.needs_spark else None,
        "cancelled": result.cancelled,
        "skipped": result.skipped,
        "seconds": round(result.seconds, 2),
        "exit_code": result.exit_code,
        "dates": result.rows(),
    }


def _run(
    plan: BackfillPlan, engine: Engine | None, keep_going: bool, log: IO[str], quiet: bool
) -> BackfillResult:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    out = console(stderr=True)
    runner = Backfill(plan, engine=engine, keep_going=keep_going, stderr=log)
    if not quiet:
        skipped = len(plan.skipped)
        engine_text = f", {runner.engine.value}" if plan.needs_spark else ""
        out.print(
            f"backfill {plan.backfill_id}: {plan.job.name}, {len(plan.dates)} dates "
            f"({len(plan.to_run)} to run, {skipped} skipped{engine_text})",
            highlight=False,
        )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=out,
        transient=True,
        disable=quiet or not out.is_terminal,
    )
    task = progress.add_task("starting", total=len(plan.to_run))
    runner.on_start = lambda date: _started(progress, task, date)
    runner.on_finish = lambda result: _finished(progress, task, result, out, quiet)
    with progress:
        return runner.run()


def _started(progress: Progress, task: TaskID, date: DatePlan) -> None:
    progress.update(task, description=f"running {date.day.isoformat()}")


def _finished(
    progress: Progress, task: TaskID, result: DateResult, out: Console, quiet: bool
) -> None:
    progress.advance(task)
    if quiet:
        return
    seconds = "-" if result.seconds is None else f"{result.seconds:.1f}s"
    rows = "-" if result.output_rows is None else f"{result.output_rows:,} rows"
    error = f"  {result.error}" if result.error and result.status != RunStatus.SUCCEEDED else ""
    out.print(
        f"{result.day.isoformat()}  {_status(result.status)}  {seconds}  {rows}{error}",
        highlight=False,
        soft_wrap=True,
    )


def _print_plan(plan: BackfillPlan, as_json: bool) -> None:
    rows = [
        {
            "date": date.day.isoformat(),
            "action": "run" if date.run else SKIPPED,
            "latest_status": date.latest_status,
            "latest_run_id": date.latest.run_id if date.latest else None,
            "config_hash": date.config_hash,
            "config": redact_config(date.config),
        }
        for date in plan.dates
    ]
    if as_json:
        echo_json({"backfill_id": plan.backfill_id, "job": plan.job.name, "dates": rows})
        return
    from rich.table import Table

    table = Table(
        title=f"dry run: {plan.job.name}, {len(plan.to_run)} of {len(plan.dates)} dates "
        f"would run (--reprocess {plan.reprocess.value}); nothing ran",
        title_justify="left",
    )
    for column in ("date", "action", "latest", "config"):
        table.add_column(column, no_wrap=column != "config", overflow="fold")
    for row in rows:
        table.add_row(
            row["date"],
            row["action"],
            _status(row["latest_status"]),
            json.dumps(row["config"], separators=(",", ":")),
        )
    console().print(table)


def _print_summary(result: BackfillResult, log: str) -> None:
    from rich.table import Table

    parts = [
        f"{result.count(status)} {status}"
        for status in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED, NOT_RUN)
        if result.count(status)
    ]
    parts.append(f"{result.skipped} skipped")
    table = Table(
        title=f"backfill {result.backfill_id} of {result.plan.job.name}: "
        f"{', '.join(parts)} in {result.seconds:.1f}s",
        title_justify="left",
    )
    for column in ("date", "status", "seconds", "output rows", "run id", "error"):
        table.add_column(column, no_wrap=column != "error", overflow="fold")
    for date in result.dates:
        table.add_row(
            date.day.isoformat(),
            _status(date.status),
            "" if date.seconds is None else f"{date.seconds:.1f}",
            "" if date.output_rows is None else f"{date.output_rows:,}",
            date.run_id or "",
            date.error or "",
        )
    out = console()
    out.print(table)
    if result.cancelled:
        out.print("cancelled: no more dates were started", highlight=False)
    if log != "-":
        out.print(f"the dates' own output: {log}", highlight=False, soft_wrap=True)


def _open_log(stack: ExitStack, plan: BackfillPlan, log_path: str | None) -> IO[str]:
    if log_path == "-":
        return sys.stderr
    path = Path(log_path) if log_path else default_log_path(plan.backfill_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    return stack.enter_context(path.open("a", encoding="utf-8"))


def _status(status: str) -> str:
    return f"[{_STYLE.get(status, 'white')}]{status}[/]"

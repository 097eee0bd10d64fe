"""``dwh runs``, ``dwh runs show RUN_ID`` and ``dwh runs log RUN_ID``: look back at runs.

The list and ``show`` read the run store; ``log`` prints the process output the
launcher stored for a run (:mod:`dwh.runs.logs`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from dwh.checks.results import audits_from_events, format_table
from dwh.cli.output import console, echo_json
from dwh.errors import UsageError
from dwh.events import RunStatus
from dwh.runs.logs import read_log
from dwh.runs.store import STATUSES, RunRecord, RunStore

JOB_TIME_NOTE = (
    "job time: from job_started to the run's final event; the `dwh:` line of a run "
    "also shows the process wall, which adds Python and Spark start-up"
)

_STYLE: dict[str, str] = {
    RunStatus.RUNNING: "yellow",
    RunStatus.SUCCEEDED: "green",
    RunStatus.FAILED: "red",
    RunStatus.CANCELLED: "magenta",
    RunStatus.LOST: "red",
}


@click.group(invoke_without_command=True)
@click.option("--job", metavar="JOB", help="Only runs of this job.")
@click.option("--status", type=click.Choice(STATUSES), help="Only runs with this status.")
@click.option("--backfill", "backfill_id", metavar="ID", help="Only the runs of this backfill.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def runs(
    ctx: click.Context,
    job: str | None,
    status: str | None,
    backfill_id: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List recent runs, newest first (the run store at $DWH_HOME/runs.db)."""
    if ctx.invoked_subcommand is not None:
        return
    store = _open_store()
    records = (
        store.runs(job=job, status=status, limit=limit, backfill_id=backfill_id) if store else []
    )
    if as_json:
        echo_json([run_dict(record) for record in records])
        return
    if not records:
        console().print("no runs match" if job or status or backfill_id else "no runs recorded yet")
        return
    table = Table(
        title=f"{len(records)} runs, newest first",
        title_justify="left",
        caption=JOB_TIME_NOTE,
        caption_justify="left",
    )
    columns = ["run id", "job", "status", "started (UTC)", "job time (s)", "triggered by"]
    backfills = any(record.backfill_id for record in records)
    for column in columns + (["backfill"] if backfills else []):
        table.add_column(column, no_wrap=True)
    for record in records:
        cells = [
            record.run_id,
            record.job,
            _status(record.status),
            record.started_at or "",
            _seconds(record),
            _parent(record),
        ]
        table.add_row(*cells, *([record.backfill_id or ""] if backfills else []))
    console().print(table)


@runs.command("show")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def show_run(run_id: str, as_json: bool) -> None:
    """Show one run: config, metrics, outputs, error, events and the runs it triggered."""
    store = _open_store()
    record = store.get(run_id) if store else None
    if store is None or record is None:
        recent = [r.run_id for r in store.runs(limit=5)] if store else []
        hint = f" (recent runs: {', '.join(recent)})" if recent else ""
        raise UsageError(f"no run with id {run_id!r} in the run store{hint}")
    events = store.events(run_id)
    children = store.children(run_id)
    audits = audits_from_events(events)
    if as_json:
        echo_json(
            {
                **run_dict(record),
                "checks": audits,
                "events": [event.to_dict() for event in events],
                "children": [run_dict(child) for child in children],
            }
        )
        return
    out = console()
    out.print(f"[bold]{record.run_id}[/]  {record.job}  {_status(record.status)}")
    out.print(f"module: {record.module or '?'}   config hash: {record.config_hash or '?'}")
    out.print(
        f"started: {record.started_at or '?'}   ended: {record.ended_at or '-'}   "
        f"job time: {_seconds(record) or '-'} s"
    )
    if record.triggered_by_job:
        out.print(f"triggered by: {_parent(record)}")
    if record.backfill_id:
        out.print(f"backfill: {record.backfill_id}")
    _section(out, "config", record.config)
    _section(out, "metrics", record.metrics)
    _section(out, "outputs", record.outputs)
    if record.error:
        out.print(f"\n[bold red]error[/] {escape(record.error)}")
    if audits:
        out.print("\n[bold]checks[/]")
        for line in format_table(audits):
            out.print(escape(line))
    if events:
        table = Table(title="events", title_justify="left")
        for column in ("at", "event", "details"):
            table.add_column(column, no_wrap=column != "details")
        for event in events:
            table.add_row(event.at, event.event, escape(_brief(event.payload)))
        out.print(table)
    for child in children:
        out.print(f"triggered: {child.run_id}  {child.job}  {_status(child.status)}")


@runs.command("log")
@click.argument("run_id")
@click.option("--grep", "needle", metavar="TEXT", help="Only the lines containing TEXT (any case).")
def run_log(run_id: str, needle: str | None) -> None:
    """Print the process output stored for a run the launcher started ($DWH_HOME/logs).

    The TUI, dwh run --follow, triggers and backfills start runs through the
    launcher; runs from spark-submit, a notebook or a plain dwh run keep no log.
    """
    lines = read_log(run_id)
    if lines is None:
        store = _open_store()
        if store is None or store.get(run_id) is None:
            raise UsageError(f"no run with id {run_id!r} in the run store")
        raise UsageError(
            f"run {run_id!r} has no stored log: it was not started by the launcher (the TUI, "
            "dwh run --follow, triggers, backfills), or its log was pruned ($DWH_LOG_KEEP)"
        )
    shown = lines if needle is None else [line for line in lines if needle.lower() in line.lower()]
    if shown:
        click.echo("\n".join(shown))
    if needle is not None:
        click.echo(f"{len(shown)} of {len(lines)} lines match {needle!r}", err=True)


def run_dict(record: RunRecord) -> dict[str, Any]:
    """Return a run record as JSON-ready data, with its duration."""
    return {**asdict(record), "duration_seconds": record.duration_seconds}


def _open_store() -> RunStore | None:
    """Open the run store for reading; None when nothing was recorded there yet."""
    existing = RunStore.open_existing()
    if existing.off:
        raise UsageError("the run store is off (DWH_RUN_STORE=off); unset it to record runs")
    return existing.store


def _status(status: str) -> str:
    return f"[{_STYLE.get(status, 'white')}]{status}[/]"


def _seconds(record: RunRecord) -> str:
    seconds = record.duration_seconds
    return "" if seconds is None else f"{seconds:.1f}"


def _parent(record: RunRecord) -> str:
    if not record.triggered_by_job:
        return ""
    return f"{record.triggered_by_job} ({record.triggered_by_run_id or '?'})"


def _section(out: Any, title: str, data: dict[str, Any] | None) -> None:
    if data:
        out.print(f"\n[bold]{title}[/]")
        out.print_json(json.dumps(data, default=str))


def _brief(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, default=str, separators=(",", ":"))
    return text if len(text) <= 100 else text[:97] + "..."

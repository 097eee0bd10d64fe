"""``dwh run``: run a job through the production generic entry, in this process.

The command line is the one ``spark-submit scripts/glue/generic_entry.py`` receives
(``--module_name``, ``--<job>_job``, ``--has_spark``), handed to :func:`dwh.entry.main`,
so a terminal run and a production run take exactly the same path. The config is
validated first, before any Spark session exists; pyspark is imported only if the
job needs Spark.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from dwh.cli.output import console, printable
from dwh.config import parse_config
from dwh.config_file import read_config_arg
from dwh.errors import ConfigError, RunStoreError, UsageError
from dwh.registry import JobInfo, examples_dir, find_job, load_factory
from dwh.services.publishers import check_events_target
from dwh.settings import TRIGGERS_ENV
from dwh.settings import triggers_path as settings_triggers_path
from dwh.spark.warm import warm_remote


@click.command()
@click.argument("job")
@click.option(
    "--config", "-c", "config", required=True, help="JSON file, inline JSON, or - for stdin."
)
@click.option("--follow", is_flag=True, help="Then run the jobs its success triggers.")
@click.option("--events", metavar="PATH", help="Append JSON-lines events here (- for stdout).")
@click.option("--run-id", metavar="ID", help="Use this run id instead of a fresh one.")
@click.option(
    "--triggers",
    "triggers_path",
    metavar="PATH",
    help=(
        f"Trigger map for --follow (default: ${TRIGGERS_ENV}, else every job package's "
        "triggers.json and examples/triggers.json, merged)."
    ),
)
@click.option("--spark-remote", metavar="URL", help="Run against Spark Connect (sc://host:port).")
@click.option("--warm", is_flag=True, help="Run on the local Spark server (dwh spark start).")
@click.option(
    "--no-diff",
    "no_diff",
    is_flag=True,
    help="Don't print what the run changed in each output (one line each, see dwh diff).",
)
@click.pass_context
def run(
    ctx: click.Context,
    job: str,
    config: str,
    follow: bool,
    events: str | None,
    run_id: str | None,
    triggers_path: str | None,
    spark_remote: str | None,
    warm: bool,
    no_diff: bool,
) -> None:
    """Run JOB with a config, through the same entry as production."""
    if warm and spark_remote:
        raise UsageError("--warm cannot be combined with --spark-remote")
    if follow and spark_remote:
        raise UsageError(
            "--spark-remote cannot be combined with --follow: use --warm, or run each job alone"
        )
    if events is not None:
        check_events_target(events)
    info = find_job(job)
    factory = load_factory(info)
    text = read_config_arg(config, name="--config")
    try:
        parsed = parse_config(factory.config_model, text, job=info.name)
    except ConfigError as err:
        click.echo(f"dwh: invalid config for job '{info.name}', nothing ran:", err=True)
        for problem in err.problems:
            click.echo(f"  - {printable(problem)}", err=True)
        sys.exit(err.exit_code)
    if follow:
        _check_trigger_map(triggers_path)
    warn_stale_inputs(info.name, parsed.model_dump(mode="json"))
    if warm:
        spark_remote = warm_remote(_say)
    if follow:
        sys.exit(
            _follow(
                info,
                text,
                events=events,
                run_id=run_id,
                has_spark=factory.needs_spark,
                triggers_path=triggers_path,
                spark_remote=spark_remote,
                diff=not no_diff,
            )
        )
    from dwh.entry import main as entry_main
    from dwh.run_context import new_run_id

    run_id = run_id or new_run_id()  # known here, so the diff summary can find the run
    argv = entry_argv(
        info,
        text,
        has_spark=factory.needs_spark,
        events=events,
        run_id=run_id,
        spark_remote=spark_remote,
        debug=bool(ctx.meta.get("dwh.debug")),
    )
    from dwh.cli._progress_bar import progress_bars

    with progress_bars():
        code = entry_main(argv)
    if code == 0 and not no_diff:
        print_run_summaries(run_id)
    sys.exit(code)


def warn_stale_inputs(job: str, config: dict[str, Any]) -> None:
    """Say, one line each, which inputs hold an upstream job's stale output (stderr).

    See :mod:`dwh.runs.upstream`: the upstream job's last run failed, or started
    before one of its own inputs changed. A store that cannot be read says nothing.
    """
    from dwh.runs.upstream import stale_input_lines

    try:
        lines = stale_input_lines(job, config)
    except RunStoreError:
        return
    for line in lines:
        click.echo(f"dwh: warning: {printable(line)}", err=True)


def print_run_summaries(run_id: str) -> None:
    """Print what the run changed in each output that had a previous version (stderr)."""
    from dwh.diff.summary import run_summaries

    out = console(stderr=True)
    for summary in run_summaries(run_id):
        out.print(f"diff: {summary.line}", highlight=False, soft_wrap=True, markup=False)


def entry_argv(
    info: JobInfo,
    config_text: str,
    *,
    has_spark: bool,
    events: str | None = None,
    run_id: str | None = None,
    spark_remote: str | None = None,
    debug: bool = False,
) -> list[str]:
    """Return the generic entry's arguments for one run, as production passes them."""
    argv = [
        "--module_name",
        info.module,
        info.config_arg,
        config_text,
        "--has_spark",
        "true" if has_spark else "false",
    ]
    for flag, value in (
        ("--events", events),
        ("--run_id", run_id),
        ("--spark_remote", spark_remote),
    ):
        if value:
            argv += [flag, value]
    if debug:
        argv.append("--debug")
    return argv


def _follow(
    info: JobInfo,
    config_text: str,
    *,
    events: str | None,
    run_id: str | None,
    has_spark: bool,
    triggers_path: str | None,
    spark_remote: str | None = None,
    diff: bool = True,
) -> int:
    """Run the job and the chain its success triggers; print the chain; return the exit code."""
    from dwh.launch import exit_code_for
    from dwh.services.publishers import JsonLinesPublisher
    from dwh.triggers import run_with_triggers

    runs = run_with_triggers(
        info.name,
        config_text,
        trigger_map=triggers_path,
        events=JsonLinesPublisher.open(events) if events else None,
        has_spark=has_spark,
        run_id=run_id,
        spark_remote=spark_remote,
    )
    out = console(stderr=True)
    for run in runs:
        parent = (
            f"  ← {run.triggered_by_job} {run.triggered_by_run_id}" if run.triggered_by_job else ""
        )
        style = "green" if run.succeeded else "red"
        out.print(
            f"chain: {run.job} {run.run_id} [{style}]{run.status}[/]{parent}",
            highlight=False,
            soft_wrap=True,
        )
    if diff:
        for run in runs:
            if run.succeeded:
                print_run_summaries(run.run_id)
    failed = next((run for run in runs if not run.succeeded), None)
    return 0 if failed is None else exit_code_for(failed.status)


def _check_trigger_map(triggers_path: str | None) -> None:
    """Refuse ``--follow`` when no trigger map is given, set or found."""
    from dwh.triggers import TRIGGERS_FILE, trigger_map_files

    if triggers_path or settings_triggers_path() or trigger_map_files():
        return
    raise UsageError(
        f"--follow needs a trigger map: pass --triggers PATH, set {TRIGGERS_ENV}, or put a "
        f"{TRIGGERS_FILE} in a job package or in {examples_dir()}"
    )


def _say(message: str) -> None:
    click.echo(f"dwh: {message}", err=True)

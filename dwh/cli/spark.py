"""``dwh spark start | status | stop``: the local Spark Connect server for warm runs.

``dwh run JOB --config C --warm`` runs on this server (starting it when none runs);
each run gets its own server-side session, so runs stay isolated while the JVM and the
jars stay warm; a spare session with its Python workers up waits for the next run
(:mod:`dwh.spark.prewarm`).
"""

from __future__ import annotations

import json

import click

from dwh.cli.output import console
from dwh.settings import spark_prewarm_enabled
from dwh.spark.control import stop_server
from dwh.spark.prewarm import spare_ready, start_prewarm
from dwh.spark.recycle import max_memory_bytes
from dwh.spark.runner import RunnerStatus, runner_status, start_runner
from dwh.spark.status import ServerStatus, server_status
from dwh.spark.warm import start_server


@click.group()
def spark() -> None:
    """Manage the local Spark Connect server that warm runs share."""


@spark.command()
@click.option("--port", type=click.IntRange(1, 65535), help="Port for a new server.")
def start(port: int | None) -> None:
    """Start the server, or report the one that runs."""
    before = server_status()
    status = before if before.running else start_server(port)
    verb = "started" if status.started else "already running"
    click.echo(f"dwh: Spark server {verb} at {status.url} (pid {status.pid})", err=True)
    if before.running and status.url:
        start_prewarm(status.url)  # the first warm run finds its Python workers up
        start_runner(wait=True)
    runner = runner_status()
    if runner.running:
        click.echo(f"dwh: warm runner ready (pid {runner.pid})", err=True)


@spark.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(as_json: bool) -> None:
    """Show whether the server runs, where, and its memory."""
    current = server_status()
    if as_json:
        click.echo(json.dumps({**current.to_json(), "runner": runner_status().to_json()}))
        return
    _print_table(current)


@spark.command()
def stop() -> None:
    """Stop the server; does nothing when none runs."""
    if stop_server():
        click.echo("dwh: Spark server stopped", err=True)
    else:
        click.echo("dwh: no Spark server was running", err=True)


def _print_table(current: ServerStatus) -> None:
    from rich.table import Table

    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    if not current.running:
        table.add_row("server", "[yellow]not running[/] (dwh spark start)")
    else:
        table.add_row("server", "[green]running[/]")
        table.add_row("url", str(current.url))
        table.add_row("pid", str(current.pid))
        table.add_row("spark", str(current.spark_version))
        table.add_row("uptime", _duration(current.uptime_s))
        table.add_row("memory", _memory(current))
        table.add_row("python workers", _workers(current))
        table.add_row("memory ceiling", _ceiling())
        table.add_row("spare session", _spare(str(current.url)))
        table.add_row("warm runner", _runner(runner_status()))
    console().print(table)


def _spare(url: str) -> str:
    if not spark_prewarm_enabled():
        return "off (DWH_SPARK_PREWARM)"
    if spare_ready(url):
        return "ready: the next warm run finds its Python workers up"
    return "not ready: one is prepared at start and when a warm run ends"


def _runner(runner: RunnerStatus) -> str:
    if not runner.enabled:
        return "off (DWH_WARM_RUNNER)"
    if not runner.running:
        return "not running: the next warm run starts one"
    return (
        f"pid {runner.pid}, up {_duration(runner.uptime_s)}, {runner.imports} modules "
        f"imported, {runner.runs} runs forked"
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _mebibytes(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**20:.0f} MiB"


def _memory(current: ServerStatus) -> str:
    tree = current.tree
    if tree is None or tree.total is None or tree.jvm is None:
        return f"{_mebibytes(current.rss_bytes)} RSS (JVM and Python workers)"
    return (
        f"{_mebibytes(tree.total.pss)} PSS in all ({_mebibytes(tree.total.uss)} USS): "
        f"JVM {_mebibytes(tree.jvm.pss)}, Python workers "
        f"{_mebibytes(tree.total.pss - tree.jvm.pss)}"
    )


def _workers(current: ServerStatus) -> str:
    tree = current.tree
    if tree is None:
        return "?"
    return f"{tree.workers} ({tree.processes} processes below the JVM)"


def _ceiling() -> str:
    ceiling = max_memory_bytes()  # a bad value: one line, exit 2
    if ceiling is None:
        return "off (DWH_SPARK_MAX_MEMORY): never restarted for memory"
    return f"{_mebibytes(ceiling)} PSS (DWH_SPARK_MAX_MEMORY): restarted when idle past it"

"""``dwh preview TARGET``: the schema, exact row count and first rows of what a job wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dwh.cli.output import console, echo_json, printable
from dwh.preview import (
    DEFAULT_LIMIT,
    Preview,
    describe_outputs,
    open_store,
    preview,
    resolve_run,
)

if TYPE_CHECKING:
    from dwh.preview import RunOutput
    from dwh.runs.store import RunRecord


@click.command("preview")
@click.argument("target")
@click.option("--output", "output", metavar="NAME", help="Which of a run's outputs to show.")
@click.option(
    "--limit",
    type=click.IntRange(0, 1_000_000),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="How many rows to show (0: schema and count only).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"path", "format", "row_count", "schema", "rows"} for scripts (a run with '
    'several outputs: {"run_id", "job", "outputs": [{"name", "path", "format", "row_count"}]}).',
)
def preview_command(target: str, output: str | None, limit: int, as_json: bool) -> None:
    """Show the schema, exact row count and first rows of TARGET.

    TARGET is a file or folder (Parquet, CSV, JSON lines; part files; year=/month=/day=
    partitions), a remote URI read through Spark, or a run id from `dwh runs`: a run
    with several outputs lists them, and --output NAME picks one.
    """
    store = open_store()
    record = resolve_run(target, store)
    if record is not None and output is None and len(record.outputs or {}) > 1:
        if store is not None:
            store.close()
        listed = describe_outputs(record)
        if as_json:
            echo_json(_outputs_json(record, listed))
        else:
            _print_outputs(record, listed)
        return
    try:
        shown = preview(target, output=output, limit=limit, store=store, remote=read_remote)
    finally:
        if store is not None:
            store.close()
    if as_json:
        echo_json(shown.to_json())
    else:
        print_preview(shown, title=_title(record, output))


def print_preview(shown: Preview, *, title: str = "") -> None:
    """Print a preview as rich text: a header line, the schema and a table of rows."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    parts = (
        f"  partitioned by {', '.join(shown.partition_columns)}" if shown.partition_columns else ""
    )
    files = f", {shown.files} files" if shown.files > 1 else ""
    out.print(f"[bold]{escape(printable(title or shown.path))}[/]  {shown.format}{files}{parts}")
    out.print(f"{shown.row_count:,} rows; showing the first {shown.table.num_rows}")
    schema = Table(title="schema", title_justify="left", box=None)
    schema.add_column("column", style="cyan", no_wrap=True)
    schema.add_column("type")
    for column in shown.schema:
        schema.add_row(escape(column.name), escape(column.type))
    out.print(schema)
    if not shown.table.num_rows:
        return
    rows = Table(title="rows", title_justify="left")
    for column in shown.schema:
        rows.add_column(escape(column.name), overflow="ellipsis", max_width=40)
    for row in shown.rows:
        rows.add_row(*(escape(_cell(row.get(c.name))) for c in shown.schema))
    out.print(rows)


def _print_outputs(record: RunRecord, outputs: list[RunOutput]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=f"run {record.run_id} ({record.job}) wrote {len(outputs)} outputs",
        title_justify="left",
        caption=f"show one with: dwh preview {record.run_id} --output NAME",
        caption_justify="left",
    )
    for column in ("name", "path", "format", "rows"):
        table.add_column(column, no_wrap=column != "path")
    for item in outputs:
        rows = f"{item.row_count:,}" if item.row_count is not None else item.problem
        table.add_row(item.name, escape(printable(item.path)), item.format or "?", escape(rows))
    console().print(table)


def _outputs_json(record: RunRecord, outputs: list[RunOutput]) -> dict[str, object]:
    return {
        "run_id": record.run_id,
        "job": record.job,
        "outputs": [
            {
                "name": item.name,
                "path": item.path,
                "format": item.format,
                "row_count": item.row_count,
                **({"problem": item.problem} if item.problem else {}),
            }
            for item in outputs
        ],
    }


def _title(record: RunRecord | None, output: str | None) -> str:
    if record is None:
        return ""
    name = output or next(iter(record.outputs or {}), "")
    path = (record.outputs or {}).get(name, "")
    return f"{record.run_id} {name}: {path}"


def _cell(value: object) -> str:
    return "null" if value is None else str(value)


def read_remote(path: str, limit: int) -> Preview:
    """Read a remote URI through Spark: pyspark is imported only for such a path."""
    from dwh.preview.spark import preview_with_spark

    return preview_with_spark(path, limit)

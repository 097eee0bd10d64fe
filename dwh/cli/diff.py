"""``dwh diff TARGET``: what a run changed in its output, against the version it replaced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from dwh.cli.output import console, echo_json
from dwh.diff import DEFAULT_LIMIT, PREVIOUS, Diff, diff, parse_key

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]


@click.command("diff")
@click.argument("target")
@click.option("--output", "output", metavar="NAME", help="Which of a run's outputs to diff.")
@click.option(
    "--against",
    default=PREVIOUS,
    show_default=True,
    metavar="previous|RUN_ID|PATH",
    help="The baseline: the version TARGET replaced, a run's kept version, or a path.",
)
@click.option("--key", "key", metavar="COL,...", help="Columns that identify a row.")
@click.option(
    "--limit",
    type=click.IntRange(0, 10_000),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="How many sample changed rows to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (docs/diff.md).")
def diff_command(
    target: str, output: str | None, against: str, key: str | None, limit: int, as_json: bool
) -> None:
    """Show what changed in TARGET against the version it replaced.

    TARGET is a run id from `dwh runs` (--output NAME picks one of several outputs) or
    a path (Parquet, CSV, JSON lines; year=/month=/day= partitions). Prints the schema
    diff, row counts, and by key: rows only old / only new / in both, the share of
    matched rows changed per column, and sample changed rows old beside new. Without a
    key (--key, or one the job declares) whole rows are compared as multisets.
    """
    found = diff(
        target,
        output=output,
        against=against,
        key=parse_key(key),
        limit=limit,
        remote=read_remote_table,
    )
    if as_json:
        echo_json(found.to_json())
    else:
        print_diff(found)


def print_diff(found: Diff) -> None:
    """Print a diff as rich text: the sides, key, schema, counts, columns and samples."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    out.print(f"[bold]{escape(found.summary_line())}[/]", highlight=False, soft_wrap=True)
    sides = Table(box=None, show_header=False, pad_edge=False)
    for side in (found.old, found.new):
        run = f"run {side.run_id}" if side.run_id else "run unknown"
        sides.add_row(side.label, escape(side.path), run, side.format, f"{side.rows:,} rows")
    out.print(sides)
    if found.key:
        source = found.key_source.description
        out.print(f"key: {escape(', '.join(found.key))} ({source})", highlight=False)
    else:
        out.print(
            "no key: whole rows compared as multisets (pass --key COL,... to match rows)",
            highlight=False,
        )
    out.print(_schema_text(found), highlight=False)
    if found.key:
        out.print(
            f"rows: {found.only_old:,} only old, {found.only_new:,} only new, "
            f"{found.both:,} in both, {found.changed_rows:,} of them changed",
            highlight=False,
        )
    else:
        out.print(
            f"rows: {found.only_old:,} only old, {found.only_new:,} only new, "
            f"{found.both:,} identical",
            highlight=False,
        )
    if found.columns:
        columns = Table(title="changed per column", title_justify="left", box=None)
        for name in ("column", "changed", "share", ""):
            columns.add_column(name, no_wrap=True)
        for column in found.columns:
            bar = "█" * round(column.share * 20)
            columns.add_row(escape(column.name), f"{column.changed:,}", f"{column.share:.1%}", bar)
        out.print(columns)
    if found.samples:
        out.print(_samples_table(found))


def _schema_text(found: Diff) -> str:
    schema = found.schema
    if not schema.changed:
        return "schema: unchanged"
    parts = [f"+ {n} ({t})" for n, t in schema.added]
    parts += [f"- {n} ({t})" for n, t in schema.removed]
    parts += [f"~ {n}: {o} → {t}" for n, o, t in schema.retyped]
    return "schema: " + "; ".join(parts)


def _samples_table(found: Diff) -> object:
    from rich.markup import escape
    from rich.table import Table

    if found.key:
        table = Table(title="sample changed rows (old → new)", title_justify="left")
        for name in ("key", "column", "old", "new"):
            table.add_column(name, overflow="ellipsis", max_width=40)
        for sample in found.samples:
            key = ", ".join(_cell(v) for v in sample["key"].values())
            for index, column in enumerate(sample["new"]):
                table.add_row(
                    escape(key) if index == 0 else "",
                    escape(column),
                    escape(_cell(sample["old"][column])),
                    escape(_cell(sample["new"][column])),
                )
        return table
    table = Table(title="sample rows only on one side", title_justify="left")
    table.add_column("side")
    names = list(found.samples[0]["row"])
    for name in names:
        table.add_column(escape(name), overflow="ellipsis", max_width=30)
    for sample in found.samples:
        row = sample["row"]
        table.add_row(sample["side"], *(escape(_cell(row.get(n))) for n in names))
    return table


def _cell(value: object) -> str:
    return "null" if value is None else str(value)


def read_remote_table(path: str) -> pa.Table:
    """Read a remote URI whole through Spark (the warm server when it runs)."""
    from dwh.preview.spark import read_table_with_spark

    return read_table_with_spark(path)

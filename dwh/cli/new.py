"""``dwh new JOB``: scaffold a job, its tests, an example config and a notebook."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from dwh.cli.app import COMMANDS
from dwh.cli.output import console
from dwh.devtools.scaffold import plan_job, write_scaffold


@click.command()
@click.argument("job")
@click.option(
    "--package",
    metavar="PKG",
    help="Job package (default: the first job package). A new one is created under the "
    "project root and declared in its pyproject.toml ([tool.dwh] job_packages).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project root for tests/, examples/ and notebooks/: a folder with a pyproject.toml "
    "that holds the job package "
    "[default: the nearest folder with a pyproject.toml at or above the job package].",
)
@click.option(
    "--inputs",
    metavar="A,B,...",
    default=None,
    help="The job's inputs, comma-separated: one <input>_path field and one reader each, "
    "and a transformer that joins them on key_columns [default: one input, 'input'].",
)
@click.option("--dry-run", is_flag=True, help="Only list the files that would be written.")
def new(
    job: str, package: str | None, root: Path | None, inputs: str | None, dry_run: bool
) -> None:
    """Scaffold JOB: factory, job, config model, transformer, tests, example config, notebook."""
    names = None if inputs is None else inputs.split(",")
    scaffold = plan_job(job, package=package, root=root, commands=COMMANDS, inputs=names)
    out = console()
    if dry_run:
        for path in scaffold.files:
            out.print(f"would write {path}", highlight=False)
        if scaffold.pyproject is not None:
            out.print(f"would update {scaffold.pyproject[0]}", highlight=False)
        return
    for path in write_scaffold(scaffold):
        out.print(f"[green]wrote[/] {path}", highlight=False)
    if scaffold.note:
        out.print(f"\n{escape(scaffold.note)}", highlight=False)
    where = "" if Path.cwd().resolve() == scaffold.root else f"cd {scaffold.root} && "
    out.print(
        f"\nnext: {where}dwh check {job} && python -m pytest tests/jobs/{job}\n"
        f"      dwh run {job} --config examples/configs/{job}/example.json",
        highlight=False,
    )

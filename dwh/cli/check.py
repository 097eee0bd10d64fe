"""``dwh check``: every job's contract, and the generated Airflow DAGs' drift; exit 1 on any."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from dwh.cli.output import console, echo_json
from dwh.deploy import drift_violations
from dwh.devtools.check import RULES, check_jobs
from dwh.errors import UsageError
from dwh.registry import discover_jobs, examples_dir, find_job


def _relative(path: str) -> str:
    """The path relative to the working directory when it is inside it (clickable, short)."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


@click.command()
@click.argument("jobs", nargs=-1, metavar="[JOB]...")
@click.option(
    "--examples",
    type=click.Path(file_okay=False, path_type=Path),
    help="Examples folder with configs/<job>/*.json (default: ./examples).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def check(jobs: tuple[str, ...], examples: Path | None, as_json: bool) -> None:
    """Verify the contract of every registered job (or only JOB...).

    Reports each violation as FILE:LINE: [rule] job: message. Exits 1 on any.
    """
    if examples is not None and not examples.is_dir():
        raise UsageError(f"--examples {examples} is not a folder (of configs/<job>/*.json)")
    selected = [find_job(name) for name in jobs] if jobs else discover_jobs()
    report = check_jobs(selected, examples=examples)
    # The project rule: the DAG files `dwh deploy airflow` wrote still match it.
    report.violations.extend(drift_violations((examples or examples_dir()).resolve()))
    if as_json:
        echo_json(report.to_dict())
    else:
        out = console()
        for violation in report.violations:
            line = f"{_relative(violation.path)}:{violation.line}: [{violation.rule}] "
            out.print(
                f"[red]✗[/] {escape(line + violation.job)}: {escape(violation.message)}",
                highlight=False,
                soft_wrap=True,
            )
        for warning in report.warnings:
            line = f"{_relative(warning.path)}:{warning.line}: [{warning.rule}] "
            out.print(
                f"[yellow]![/] {escape(line + warning.job)}: {escape(warning.message)}",
                highlight=False,
                soft_wrap=True,
            )
        broken = sorted({v.job for v in report.violations})
        if report.ok:
            out.print(
                f"[green]✓[/] {len(report.jobs)} jobs keep the contract "
                f"({len(RULES)} rules): {', '.join(report.jobs)}"
            )
        else:
            out.print(
                f"{len(report.violations)} violations in {len(broken)} of "
                f"{len(report.jobs)} jobs: {', '.join(broken)}"
            )
    if not report.ok:
        sys.exit(1)

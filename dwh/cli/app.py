"""The ``dwh`` click group and its error boundary.

Commands live in one module per concern (``jobs``, ``run``, ``runs``, ``new``,
``check``, ``package``); this module only assembles them and turns a
:class:`~dwh.errors.DwhError` into one line on stderr and its exit code.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from dwh.cli import check, jobs, new, package, run, runs
from dwh.errors import DwhError


class DwhGroup(click.Group):
    """A click group that reports dwh errors as one line and exits with their code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map :class:`DwhError` to its exit code."""
        try:
            return super().invoke(ctx)
        except DwhError as err:
            if ctx.meta.get("dwh.debug"):
                traceback.print_exc()
            click.echo(f"dwh: error: {err}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=DwhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="dwh", prog_name="dwh")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """dwh: write a Spark ETL job once; run it anywhere.

    Jobs are found under the job packages (dwh.jobs and $DWH_JOB_PACKAGES).
    """
    ctx.meta["dwh.debug"] = debug


for command in (
    jobs.list_jobs,
    jobs.show,
    jobs.schema,
    jobs.validate,
    run.run,
    runs.runs,
    new.new,
    check.check,
    package.package,
):
    cli.add_command(command)

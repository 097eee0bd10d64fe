"""The ``dwh`` click group and its error boundary.

Commands live in one module per concern (``jobs``, ``run``, ``runs``, ``new``,
``check``, ``package``, ``deploy``); this module only names them and turns a
:class:`~dwh.errors.DwhError` into one line on stderr and its exit code. A command's
module is imported when the command runs (click's lazy-group pattern), so ``dwh list``
does not pay for the packaging, scaffolding and run-store code it never uses.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from dwh.cli.output import echo_error, printable
from dwh.errors import DwhError

COMMANDS: dict[str, str] = {
    "list": "dwh.cli.jobs:list_jobs",
    "show": "dwh.cli.jobs:show",
    "schema": "dwh.cli.jobs:schema",
    "validate": "dwh.cli.jobs:validate",
    "run": "dwh.cli.run:run",
    "runs": "dwh.cli.runs:runs",
    "backfill": "dwh.cli.backfill:backfill",
    "new": "dwh.cli.new:new",
    "check": "dwh.cli.check:check",
    "package": "dwh.cli.package:package",
    "deploy": "dwh.cli.deploy:deploy",
    "lineage": "dwh.cli.lineage:lineage",
    "notebook": "dwh.cli.notebook:notebook",
    "preview": "dwh.cli.preview:preview_command",
    "diff": "dwh.cli.diff:diff_command",
    "spark": "dwh.cli.spark:spark",
    "audit": "dwh.cli.audit:audit",
}
"""Each command's name and where it lives, ``module:attribute``."""


class DwhGroup(click.Group):
    """A click group that loads commands on use and reports dwh errors as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Name every command, in the order of :data:`COMMANDS`, without importing them."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return one command, or None for an unknown name."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse, up front, an argument no command line could carry.

        A NUL byte, or a lone surrogate that is not a non-UTF-8 byte (``\\udc80`` to
        ``\\udcff``): they reach dwh only through ``main(argv)`` from Python, and no path
        or name can hold them.
        """
        for arg in args:
            if "\0" in arg or not _encodable(arg):
                raise click.UsageError(
                    f"argument '{printable(arg)}' holds a NUL byte or a lone surrogate", ctx=ctx
                )
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map :class:`DwhError` to its exit code."""
        try:
            return super().invoke(ctx)
        except DwhError as err:
            if ctx.meta.get("dwh.debug"):
                traceback.print_exc()
            echo_error(str(err))
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


def _encodable(arg: str) -> bool:
    try:
        os.fsencode(arg)
    except UnicodeEncodeError:
        return False
    return True

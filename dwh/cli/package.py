"""``dwh package``: wheel and --py-files zip in dist/, import-checked in a clean interpreter."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from dwh.cli.output import console, echo_json
from dwh.devtools.packaging import package as build_package
from dwh.devtools.packaging import project_root


@click.command()
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Project root (default: the nearest folder with a pyproject.toml).",
)
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: <root>/dist).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def package(root: Path | None, dist: Path | None, as_json: bool) -> None:
    """Build the wheel and the --py-files zip, then import every job module from each alone.

    Exits 1 if any job module fails to import from an artifact.
    """
    result = build_package(root=project_root(root), dist=dist)
    if as_json:
        echo_json(
            {
                "ok": result.ok,
                "wheel": str(result.wheel),
                "zip": str(result.zip),
                "modules": result.modules,
                "failures": [
                    {"artifact": str(f.artifact), "module": f.module, "error": f.error}
                    for f in result.failures
                ],
            }
        )
    else:
        out = console()
        out.print(f"wheel: {result.wheel}", highlight=False)
        out.print(f"zip:   {result.zip}", highlight=False)
        for failure in result.failures:
            out.print(
                f"[red]✗[/] {failure.module} from {failure.artifact.name}: {escape(failure.error)}",
                highlight=False,
            )
        if result.ok:
            out.print(
                f"[green]✓[/] {len(result.modules)} job modules import from each artifact "
                "alone (clean interpreter, no repository on sys.path)"
            )
    if not result.ok:
        sys.exit(1)

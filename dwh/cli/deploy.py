"""``dwh deploy airflow``: Airflow DAG files from the registry, the trigger map and prod configs.

Light: it reads configs and models, never imports pyspark, and writes only when every
DAG could be generated (:mod:`dwh.deploy`).
"""

from __future__ import annotations

from pathlib import Path

import click

from dwh.cli.output import console, echo_json
from dwh.deploy import PLATFORMS, DeployInputs, generate, project_path, write_dags


@click.group()
def deploy() -> None:
    """Generate what an orchestrator runs: Airflow DAGs (dwh deploy airflow)."""


@deploy.command()
@click.argument("jobs", nargs=-1, metavar="[JOB]...")
@click.option(
    "--platform",
    required=True,
    metavar="PLATFORM",
    help=f"Where the tasks run: {', '.join(PLATFORMS)}.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="The DAG folder to write (default: the settings' airflow.dag_folder).",
)
@click.option(
    "--configs",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of <job>/prod.json production configs (default: examples/configs).",
)
@click.option(
    "--triggers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The trigger map (default: $DWH_TRIGGERS, else examples/triggers.json).",
)
@click.option(
    "--settings",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The deploy settings file (default: examples/deploy.json).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def airflow(
    jobs: tuple[str, ...],
    platform: str,
    out: Path | None,
    configs: Path | None,
    triggers: Path | None,
    settings: Path | None,
    as_json: bool,
) -> None:
    """Write one DAG file per trigger chain (JOB...'s chains, or every job's).

    Each task runs a job through the generic entry on PLATFORM, with its production
    config, Airflow's logical date for its date fields ({{ ds }}) and the upstream
    task's run as its triggered_by_run_id. Bad input writes nothing and exits 2.
    """
    inputs = DeployInputs(platform, jobs, triggers, configs, settings, out).resolved()
    files = generate(inputs)
    assert inputs.out is not None
    result = write_dags(files, project_path(inputs.out), inputs)
    if as_json:
        echo_json(
            {
                "folder": str(result.folder),
                "written": result.written,
                "unchanged": result.unchanged,
                "removed": result.removed,
            }
        )
        return
    out_console = console()
    for name in result.written:
        out_console.print(f"[green]✓[/] wrote {result.folder / name}", highlight=False)
    for name in result.unchanged:
        out_console.print(f"  unchanged {result.folder / name}", highlight=False)
    for name in result.removed:
        out_console.print(f"  removed {result.folder / name} (its chain is gone)", highlight=False)

"""``dwh audit JOB --config C``: a job's output checks on what it has published; writes nothing.

The checks are the job's declared ones plus the config's ``output_checks``, computed on
each output's current published version, on the warm Spark server when one runs, else
on a local session. The table is the one ``dwh run`` prints; exit 0, or 4 when an
error-severity check fails (the exit code of a run whose checks fail).
"""

from __future__ import annotations

import click

from dwh.checks.results import failed_checks, format_table
from dwh.cli.output import echo_json
from dwh.config_file import read_config_arg
from dwh.errors import ChecksFailedError
from dwh.registry import find_job, load_factory
from dwh.spark.status import server_status


@click.command()
@click.argument("job")
@click.option(
    "--config", "-c", "config", required=True, help="JSON file, inline JSON, or - for stdin."
)
@click.option("--json", "as_json", is_flag=True, help="Print the audits as JSON.")
def audit(job: str, config: str, as_json: bool) -> None:
    """Run JOB's output checks on its published outputs, without running the job."""
    info = find_job(job)
    factory_class = load_factory(info)
    text = read_config_arg(config, name="--config")
    status = server_status()
    remote = str(status.url) if status.running and status.url else None
    kwargs = {f"{info.name}_job": text, "has_spark": True, "spark_remote": remote}
    audits = factory_class(**kwargs).audit_published(**kwargs)
    payloads = [a.to_payload() for a in audits]
    if as_json:
        echo_json(payloads)
    else:
        for line in format_table(payloads) or [f"job '{info.name}' declares no checks"]:
            click.echo(line)
    failed = failed_checks(audits)
    if failed:
        raise ChecksFailedError(f"{len(failed)} output check(s) failed: {'; '.join(failed)}")

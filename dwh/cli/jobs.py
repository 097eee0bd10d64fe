"""``dwh list``, ``dwh show``, ``dwh schema`` and ``dwh validate``: the jobs and their configs.

Listing reads the job folders without importing anything (not even pydantic). ``show``,
``schema`` and ``validate`` import one factory module for its config model, which never
starts Spark.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from dwh.cli.output import console, echo_json, printable
from dwh.config_file import read_config_arg
from dwh.errors import ConfigError
from dwh.registry import JobInfo, discover_jobs, example_configs, find_job, load_factory

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@click.command("list")
@json_option
def list_jobs(as_json: bool) -> None:
    """List the registered jobs."""
    jobs = discover_jobs()
    if as_json:
        echo_json([_job_dict(job) for job in jobs])
        return
    out = console()
    out.print(_job_listing(jobs, out.width), soft_wrap=True)


def _job_listing(jobs: list[JobInfo], width: int) -> Text:
    """The jobs as aligned columns, descriptions cropped to ``width``.

    Plain aligned text rather than a rich ``Table``: a table measures every cell to lay
    out its columns, which costs a quarter of a second at 500 jobs.
    """
    from rich.text import Text

    name_width = max([len("job"), *(len(job.name) for job in jobs)]) + 2
    module_width = max([len("module"), *(len(job.module) for job in jobs)]) + 2
    room = max(width - name_width - module_width, 20)
    text = Text(f"{len(jobs)} registered jobs\n", style="italic")
    text.append("job".ljust(name_width) + "module".ljust(module_width) + "description\n", "bold")
    for job in jobs:
        description = job.description
        if len(description) > room:
            description = description[: room - 1] + "\u2026"
        text.append(job.name.ljust(name_width), "bold cyan")
        text.append(job.module.ljust(module_width))
        text.append(description + "\n")
    text.rstrip()
    return text


@click.command()
@click.argument("job")
@json_option
def show(job: str, as_json: bool) -> None:
    """Show a job's docstring, config fields and example configs."""
    from rich.markup import escape

    from dwh.config import config_schema, factory_defaults

    info = find_job(job)
    factory = load_factory(info)
    schema = config_schema(factory.config_model)
    defaults = factory_defaults(factory.config_model)
    examples = example_configs(info.name)
    if as_json:
        echo_json(
            {
                **_job_dict(info),
                "docstring": info.docstring,
                "needs_spark": factory.needs_spark,
                "schema": schema,
                "examples": examples,
            }
        )
        return
    out = console()
    out.print(f"[bold cyan]{info.name}[/]  {info.module}")
    out.print(f"[dim]{info.path}[/]  needs Spark: {'yes' if factory.needs_spark else 'no'}")
    out.print()
    out.print(escape(info.docstring or "(no docstring)"))
    out.print()
    out.print(_fields_table(schema, defaults, framework=False))
    out.print()
    out.print(_fields_table(schema, defaults, framework=True))
    if not examples:
        out.print(f"\nno example configs in examples/configs/{info.name}/")
    for name, config in examples.items():
        out.print(f"\n[bold]example {name}[/]")
        out.print_json(json.dumps(config))
    out.print(f"\nrun it: dwh run {info.name} --config <file or JSON>")


@click.command()
@click.argument("job")
def schema(job: str) -> None:
    """Print a job's config JSON Schema."""
    from dwh.config import config_schema

    echo_json(config_schema(load_factory(find_job(job)).config_model))


@click.command()
@click.argument("job")
@click.argument("config")
@json_option
def validate(job: str, config: str, as_json: bool) -> None:
    """Validate CONFIG (a JSON file, inline JSON or - for stdin) against JOB's model.

    Exits 0 when it is valid, or 2 listing every problem.
    """
    from dwh.config import parse_config

    info = find_job(job)
    model = load_factory(info).config_model
    text = read_config_arg(config)
    try:
        parsed = parse_config(model, text, job=info.name)
    except ConfigError as err:
        if as_json:
            echo_json({"job": info.name, "valid": False, "problems": err.problems})
        else:
            header, *problems = err.report()
            click.echo(f"dwh: {printable(header)}", err=True)
            for line in problems:
                click.echo(printable(line), err=True)
        sys.exit(err.exit_code)
    if as_json:
        echo_json({"job": info.name, "valid": True, "config": parsed.model_dump(mode="json")})
    else:
        click.echo(f"valid config for job '{info.name}'")


def _job_dict(job: JobInfo) -> dict[str, Any]:
    return {
        "name": job.name,
        "package": job.package,
        "module": job.module,
        "path": str(job.path),
        "description": job.description,
        "config_arg": job.config_arg,
    }


def _fields_table(schema: dict[str, Any], defaults: dict[str, Any], *, framework: bool) -> Table:
    """The job's own config fields, or (``framework``) the ones dwh sets itself.

    ``defaults`` holds the defaults the schema leaves out (a ``default_factory``'s).
    """
    from rich.markup import escape
    from rich.table import Table

    from dwh.config import FRAMEWORK_MARK

    required = set(schema.get("required", []))
    title = (
        "framework fields (set by dwh when a trigger starts the run; leave them out)"
        if framework
        else "config fields"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("default")
    table.add_column("description")
    for name, spec in schema.get("properties", {}).items():
        if bool(spec.get(FRAMEWORK_MARK)) is not framework:
            continue
        default = spec.get("default", defaults.get(name))
        default = "(required)" if name in required else json.dumps(default)
        table.add_row(name, _type_of(spec), escape(default), escape(spec.get("description", "")))
    return table


def _type_of(spec: dict[str, Any]) -> str:
    if "type" in spec:
        kind = str(spec["type"])
        return f"{kind} ({spec['format']})" if "format" in spec else kind
    options = spec.get("anyOf") or spec.get("oneOf") or []
    if options:
        return " | ".join(_type_of(option) for option in options)
    if "$ref" in spec:
        return str(spec["$ref"]).rsplit("/", 1)[-1]
    return "any"

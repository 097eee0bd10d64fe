"""``dwh new``: scaffold a job that keeps the contract and passes its own tests at once.

A new job ``my_job`` in package ``dwh.jobs`` gets, relative to the project root::

    dwh/jobs/my_job/__init__.py
    dwh/jobs/my_job/my_job_config.py          the pydantic config model
    dwh/jobs/my_job/my_job_job.py             the job: execute_job and the two hooks
    dwh/jobs/my_job/my_job_transformer.py     the Spark logic, injected into the job
    dwh/jobs/my_job/my_job_job_factory.py     the wiring and main(**kwargs)
    tests/jobs/my_job/test_my_job_job.py      fakes-based tests, no JVM
    tests/jobs/my_job/test_my_job_spark.py    Spark-tier tests (the ``spark`` fixture)
    examples/configs/my_job/example.json      a config that validates
    notebooks/my_job.ipynb                    a papermill notebook calling the same main

The files come from the templates in ``dwh/devtools/templates/job``. Nothing is overwritten:
if any target exists, nothing is written. All of them go under one project root, the
nearest folder with a ``pyproject.toml`` at or above the job package, from any working
directory; a package outside any project (an installed one) is refused.

The generated code passes ``make lint`` as it is: ruff (imports sorted too), ruff format
and mypy --strict. Import order depends on which packages ruff counts as first-party:
a job in ``dwh.jobs`` shares one block with ``dwh``; a job in another package gets its
own block after ``dwh``'s, as in a project that installs dwh.
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import keyword
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from dwh.devtools._job_package import NewPackage, check_package_name, plan_package
from dwh.devtools._scaffold_inputs import (
    check_input_names,
    example_config,
    input_values,
    templates,
)
from dwh.devtools.project import find_project_root
from dwh.errors import UsageError
from dwh.registry import discover_jobs
from dwh.settings import job_packages

_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}", re.ASCII)
_PACKAGE_FILES = {
    "__init__.py": "__init__.py.tmpl",
    "{job}_config.py": "config.py.tmpl",
    "{job}_job.py": "job.py.tmpl",
    "{job}_transformer.py": "transformer",
    "{job}_job_factory.py": "job_factory.py.tmpl",
}


@dataclass(frozen=True)
class Scaffold:
    """The files a new job consists of.

    Attributes:
        job: The job name.
        package: The job package it goes into.
        root: The project root every file is under.
        files: Target path → content, in the order they are written.
        pyproject: For a new job package: the project's ``pyproject.toml`` and its new
            text, which declares the package (``[tool.dwh] job_packages``).
        note: For a new job package: how dwh finds it.
    """

    job: str
    package: str
    root: Path
    files: dict[Path, str]
    pyproject: tuple[Path, str] | None = None
    note: str = ""


def check_job_name(name: str, *, commands: Iterable[str] = ()) -> None:
    """Refuse a name that cannot be a job: it must be a lower-case Python identifier
    that shadows neither a ``dwh`` command (``commands``), a Python builtin nor a
    standard-library module (``tests/jobs/<name>/`` would hide it from pytest's imports,
    and ``dwh <name>`` would read as the command).

    Raises:
        UsageError: The name is not allowed.
    """
    if not _NAME.fullmatch(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise UsageError(
            f"invalid job name {name!r}: use lower-case letters, digits and underscores, "
            "starting with a letter (for example clean_orders)"
        )
    shadowed = shadowed_by(name, commands=commands)
    if shadowed:
        raise UsageError(
            f"invalid job name {name!r}: it shadows {shadowed}; pick another name "
            f"(for example {name}_job)"
        )


def shadowed_by(name: str, *, commands: Iterable[str] = ()) -> str:
    """What a job name would shadow (``"the dwh command `dwh list`"``), or ``""``."""
    if name in set(commands):
        return f"the dwh command `dwh {name}`"
    if name in vars(builtins):
        return f"the Python builtin {name!r}"
    if name in sys.stdlib_module_names:
        return f"the standard-library module {name!r}"
    return ""


def plan_job(
    name: str,
    *,
    package: str | None = None,
    root: Path | None = None,
    commands: Iterable[str] = (),
    inputs: Sequence[str] | None = None,
) -> Scaffold:
    """Return the files for a new job, without writing anything.

    Every file goes under one project root: by default the nearest folder at or above
    the job package's folder that holds a ``pyproject.toml``, whatever the working
    directory, so the package, its tests, example and notebook never land apart.

    Args:
        name: The job name, e.g. ``clean_orders``.
        package: The job package (default: the first of ``$DWH_JOB_PACKAGES``, or ``dwh.jobs``).
        root: The project root, where ``tests/``, ``examples/`` and ``notebooks/`` are;
            it must have a ``pyproject.toml`` and hold the job package's folder.
        commands: The ``dwh`` command names a job name must not shadow.
        inputs: The names of the job's inputs, each read by its own reader from
            ``<input>_path`` (default: one, ``input``); with several, the transformer
            joins them all on ``key_columns``.

    Raises:
        UsageError: The name is invalid, shadows something or is taken; an input name
            is invalid; the package is not a job package; no project root holds it.
    """
    check_job_name(name, commands=commands)
    inputs = check_input_names(inputs)
    packages = job_packages()
    package = package or packages[0]
    check_package_name(package)
    taken = [job for job in discover_jobs(packages) if job.name == name]
    if taken:
        raise UsageError(f"a job named {name!r} already exists: {taken[0].module}")
    new_package: NewPackage | None = None
    if package in packages:
        package_dir = _package_dir(package).resolve()
        root = _project_root(package, package_dir, root)
    else:
        root = _new_package_root(package, root)
        new_package = plan_package(package, root)
        package_dir = root.joinpath(*package.split("."))
    folder = package_dir / name
    values = {
        "job": name,
        "Class": "".join(part.capitalize() for part in name.split("_")),
        "Title": name.replace("_", " ").capitalize(),
        "package": package,
    }
    files: dict[Path, str] = dict(new_package.files) if new_package else {}
    values.update(_import_blocks(package, name, values["Class"]))
    values.update(input_values(inputs))
    chosen = templates(inputs)
    for target, template in _PACKAGE_FILES.items():
        files[folder / target.format(job=name)] = _render(chosen.get(template, template), values)
    tests = root / "tests" / "jobs" / name
    files[tests / f"test_{name}_job.py"] = _render(chosen["test_job"], values)
    files[tests / f"test_{name}_spark.py"] = _render(chosen["test_spark"], values)
    example = example_config(name, inputs)
    files[root / "examples" / "configs" / name / "example.json"] = (
        json.dumps(example, indent=2) + "\n"
    )
    files[root / "notebooks" / f"{name}.ipynb"] = notebook(
        name, f"{package}.{name}.{name}_job_factory", example
    )
    return Scaffold(
        job=name,
        package=package,
        root=root,
        files=files,
        pyproject=new_package.pyproject if new_package else None,
        note=new_package.note if new_package else "",
    )


def write_scaffold(scaffold: Scaffold) -> list[Path]:
    """Write every file of ``scaffold``; refuse if any of them exists.

    Raises:
        UsageError: A target file already exists (nothing was written).
    """
    existing = [path for path in scaffold.files if path.exists()]
    if existing:
        raise UsageError(f"{existing[0]} already exists; nothing was written")
    for path, content in scaffold.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    if scaffold.pyproject is None:
        return list(scaffold.files)
    pyproject, text = scaffold.pyproject
    pyproject.write_text(text, encoding="utf-8")
    return [*scaffold.files, pyproject]


def notebook(job: str, module: str, example: dict[str, Any]) -> str:
    """Return a papermill notebook (nbformat 4, no outputs) that runs ``job`` through ``main``.

    ``example`` is not written into it: the code reads the example file when it runs and
    the text names the file, so neither lists config fields that may go stale.
    """
    # Annotated, so `papermill --help-notebook` shows each parameter's type.
    parameters = "\n".join(
        [
            "from typing import Optional, Union",
            "",
            "job_config: Optional[Union[dict, str]] = None  # The config: a dict (-y) or JSON "
            f"text (-p); None reads examples/configs/{job}/example.json when the notebook runs.",
            "has_spark: bool = True  # Whether the job gets a Spark session.",
            "run_id: Optional[str] = None  # Run id to record the run under; None: a fresh one.",
            "result_path: Optional[str] = None  # If set, the results are written here as JSON.",
            "warm: Optional[bool] = None  # None: the warm Spark server when one runs (dwh spark "
            "start), else this kernel's session; True: start one if none runs; False: this kernel.",
        ]
    )
    cells = [
        _cell(
            "markdown",
            f"# {job}\n\nRuns `{module}` through its `main(**kwargs)`, "
            "the same call the generic entry makes.\n\n"
            # No config fields here: the text points at the example file, which dwh check
            # validates, so it cannot go stale when the config changes.
            "Without parameters it runs the job's example config, "
            f"`examples/configs/{job}/example.json`, read when it runs.\n\n"
            f"```bash\nmkdir -p out\npapermill notebooks/{job}.ipynb out/{job}.ipynb\n"
            '# another config: -p job_config "$(cat path/to/config.json)"\n```',
        ),
        _cell("code", parameters, tags=["parameters"]),
        _cell(
            "code",
            "from dwh.notebook import prepare_run, use_project_root\n"
            "from dwh.registry import example_configs\n\n"
            "use_project_root()  # relative paths resolve against the project root\n"
            "if job_config is None:  # read now, so the default never goes stale\n"
            f'    job_config = example_configs("{job}")["example.json"]\n'
            f'prepared = prepare_run(\n    "{module}",\n    job_config,\n'
            "    has_spark=has_spark,\n    run_id=run_id,\n    warm=warm,\n)\n"
            "prepared",
        ),
        _cell("code", "run = prepared.execute()\nprint(run.summary())\nrun.raise_for_failure()"),
        _cell(
            "code",
            "import pandas as pd\n\nfrom dwh.notebook import event_rows, metric_rows\n\n"
            "display(pd.DataFrame(event_rows(run.events)))\n"
            "pd.DataFrame(metric_rows(run.metrics))",
        ),
        _cell(
            "code",
            "from dwh.notebook import write_result\n\n"
            "if result_path:\n    print(f'results written to {write_result(run, result_path)}')",
        ),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"{job}-{index}"
    document = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def _cell(kind: str, source: str, *, tags: list[str] | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "cell_type": kind,
        "metadata": {"tags": tags} if tags else {},
        "source": source.splitlines(keepends=True),
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _import_blocks(package: str, job: str, cls: str) -> dict[str, str]:
    """The first-party import blocks of the templates, sorted as ruff's isort sorts them."""
    own = f"{package}.{job}.{job}"
    blocks = {
        "factory_imports": [
            ("dwh.jobs.abstract_job_factory", "AbstractJobFactory"),
            (f"{own}_config", f"{cls}Config"),
            (f"{own}_job", f"{cls}Job"),
        ],
        "service_imports": [
            ("dwh.services.loaders", "ParquetLoader"),
            ("dwh.services.readers", "ParquetReader"),
            (f"{own}_transformer", f"{cls}Transformer"),
        ],
        "test_imports": [
            ("dwh.config", "parse_config"),
            ("dwh.errors", "ConfigError"),
            ("dwh.run_context", "RunContext"),
            ("dwh.testing", "InMemoryReader, RecordingEventPublisher, RecordingLoader"),
            (f"{own}_config", f"{cls}Config"),
            (f"{own}_job", f"{cls}Job"),
            (f"{own}_job_factory", f"{cls}JobFactory, main"),
        ],
        "spark_test_imports": [
            ("dwh.testing", "RecordingEventPublisher"),
            (f"{own}_job_factory", "main"),
            (f"{own}_transformer", f"{cls}Transformer"),
        ],
    }
    indent = {"service_imports": " " * 8}
    return {
        key: _sorted_imports(lines, package, indent.get(key, "")) for key, lines in blocks.items()
    }


def _sorted_imports(imports: list[tuple[str, str]], package: str, indent: str) -> str:
    """``from X import Y`` lines, sorted by module; the job's package apart unless in dwh."""
    same_section = package.split(".")[0] == "dwh"

    def section(module: str) -> int:
        return 0 if same_section or module.split(".")[0] == "dwh" else 1

    groups: dict[int, list[str]] = {}
    for module, names in sorted(imports, key=lambda item: (section(item[0]), item[0])):
        groups.setdefault(section(module), []).append(f"{indent}from {module} import {names}")
    return "\n\n".join("\n".join(lines) for _, lines in sorted(groups.items()))


def _render(template: str, values: dict[str, str]) -> str:
    text = (resources.files("dwh.devtools") / "templates" / "job" / template).read_text(
        encoding="utf-8"
    )
    return Template(text).substitute(values)


def _project_root(package: str, package_dir: Path, root: Path | None) -> Path:
    """The one project root every file of the scaffold goes under."""
    if root is None:
        found = find_project_root(package_dir)
        if found is None:
            raise UsageError(
                f"no project root for job package {package!r}: no pyproject.toml in "
                f"{package_dir} or above; run dwh new in a project checkout, or pass --root"
            )
        return found
    root = root.resolve()
    if not (root / "pyproject.toml").is_file():
        raise UsageError(f"--root {root} is not a project root: it has no pyproject.toml")
    if not package_dir.is_relative_to(root):
        raise UsageError(
            f"--root {root} does not hold job package {package!r} ({package_dir}); "
            "a job's files all go under one project root"
        )
    return root


def _new_package_root(package: str, root: Path | None) -> Path:
    """The project root a new job package goes under: ``--root``, else the working
    directory's (the nearest folder with a ``pyproject.toml``)."""
    if root is not None:
        root = root.resolve()
        if not (root / "pyproject.toml").is_file():
            raise UsageError(f"--root {root} is not a project root: it has no pyproject.toml")
        return root
    found = find_project_root(Path.cwd())
    if found is None:
        raise UsageError(
            f"no project root for new job package {package!r}: no pyproject.toml in "
            f"{Path.cwd()} or above; run dwh new in a project checkout, or pass --root"
        )
    return found


def _package_dir(package: str) -> Path:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"job package {package!r} cannot be found on the Python path")
    return Path(next(iter(spec.submodule_search_locations)))

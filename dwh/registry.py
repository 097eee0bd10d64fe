"""Find the registered jobs without importing them.

A job is registered by convention: a folder ``<package>/<job>/`` holding
``<job>_job_factory.py``, under one of the job packages (``$DWH_JOB_PACKAGES``, else
the project's ``[tool.dwh] job_packages`` in ``pyproject.toml``, else ``dwh.jobs``). A
package the project declares is imported from the project's folder
(:func:`make_importable`). Listing reads each factory module's docstring from its source
with :mod:`ast`, so it never imports a job module, pyspark or anything heavy, and stays
fast with hundreds of jobs. :func:`load_factory` imports one job's factory module
when its config model is needed.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.errors import JobModuleError, UsageError, did_you_mean
from dwh.settings import job_packages, project_job_packages

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dwh.jobs.abstract_job_factory import AbstractJobFactory

FACTORY_SUFFIX = "_job_factory"


@dataclass(frozen=True)
class JobInfo:
    """A registered job, as found on disk.

    Attributes:
        name: The job name, e.g. ``filter_images``.
        package: The job package it was found in, e.g. ``dwh.jobs``.
        module: The factory module, e.g. ``dwh.jobs.filter_images.filter_images_job_factory``.
        path: The factory module's file.
        docstring: The factory module's docstring ("" when it has none).
    """

    name: str
    package: str
    module: str
    path: Path
    docstring: str

    @property
    def description(self) -> str:
        """The first line of the docstring."""
        return self.docstring.strip().splitlines()[0] if self.docstring.strip() else ""

    @property
    def config_arg(self) -> str:
        """The command-line argument that carries this job's config."""
        return f"--{self.name}_job"


def job_name_of(module_name: str) -> str:
    """Return the job name a factory module name implies (``..._job_factory`` stripped)."""
    last = module_name.rsplit(".", 1)[-1]
    return last[: -len(FACTORY_SUFFIX)] if last.endswith(FACTORY_SUFFIX) else last


def discover_jobs(packages: Iterable[str] | None = None) -> list[JobInfo]:
    """Return every registered job, sorted by package and name.

    Args:
        packages: The job packages to search; defaults to :func:`dwh.settings.job_packages`.
    """
    jobs: list[JobInfo] = []
    packages = tuple(packages or job_packages())
    make_importable(packages)
    for package in packages:
        for folder in _package_dirs(package):
            for child in sorted(folder.iterdir()):
                factory = child / f"{child.name}{FACTORY_SUFFIX}.py"
                if child.name.startswith(("_", ".")) or not factory.is_file():
                    continue
                jobs.append(
                    JobInfo(
                        name=child.name,
                        package=package,
                        module=f"{package}.{child.name}.{child.name}{FACTORY_SUFFIX}",
                        path=factory,
                        docstring=read_docstring(factory),
                    )
                )
    return sorted(jobs, key=lambda job: (job.package, job.name))


def find_job(name: str, packages: Iterable[str] | None = None) -> JobInfo:
    """Return the job called ``name`` (a job name or its factory module).

    Raises:
        UsageError: No such job; the message suggests the closest names.
    """
    jobs = discover_jobs(packages)
    for job in jobs:
        if name in (job.name, job.module):
            return job
    names = [job.name for job in jobs]
    suggestion = did_you_mean(name, names, n=3)
    raise UsageError(f"unknown job '{name}'{suggestion} (known jobs: {', '.join(names)})")


def read_docstring(path: Path) -> str:
    """Return a module's docstring from its source, without importing it.

    Only the tokens before the first statement are read, not the whole module: listing
    500 jobs stays cheap however long their factory modules are. A module whose first
    statement is not a plain string literal has no docstring, as for :mod:`ast`.
    """
    try:
        with path.open("rb") as source:
            tokens = (t for t in tokenize.tokenize(source.readline) if t.type not in _SKIP)
            first = next(tokens, None)
            if first is None or first.type != tokenize.STRING:
                return ""
            if next(tokens).type == tokenize.STRING:  # "implicit" "concatenation": rare
                return ast.get_docstring(ast.parse(path.read_bytes())) or ""
            value = ast.literal_eval(first.string)
    except (OSError, SyntaxError, ValueError, StopIteration, tokenize.TokenError):
        return ""
    return inspect.cleandoc(value) if isinstance(value, str) else ""


_SKIP = frozenset({tokenize.ENCODING, tokenize.COMMENT, tokenize.NL, tokenize.INDENT})


def load_factory(job: JobInfo) -> type[AbstractJobFactory[Any]]:
    """Import a job's factory module and return its factory class.

    Raises:
        JobModuleError: The module fails to import or defines no factory.
    """
    from dwh.jobs.abstract_job_factory import AbstractJobFactory

    make_importable([job.package])
    try:
        module = importlib.import_module(job.module)
    except Exception as exc:
        raise JobModuleError(
            f"job module {job.module} failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(obj, AbstractJobFactory)
            and obj.__module__ == module.__name__
            and not inspect.isabstract(obj)
        ):
            return obj
    raise JobModuleError(f"job module {job.module} defines no AbstractJobFactory subclass")


def make_importable(packages: Iterable[str]) -> None:
    """Put the project's folder on ``sys.path`` if it declares one of ``packages``.

    A package named in the project's ``[tool.dwh] job_packages`` lives in the project's
    folder (``dwh new --package`` creates it there); this makes it importable whether
    or not the project is installed. The folder goes last, so a file in it never
    shadows the standard library or an installed package.
    """
    declared = project_job_packages()
    if declared is None or not set(packages) & set(declared.packages):
        return
    root = str(declared.root)
    if root not in sys.path:
        sys.path.append(root)
        importlib.invalidate_caches()


def examples_dir() -> Path:
    """Return the examples folder: ``./examples`` if present, else the repository's."""
    here = Path("examples")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "examples"


def example_configs(job_name: str) -> dict[str, dict[str, Any]]:
    """Return the example configs of a job, ``examples/configs/<job>/*.json``, by file name."""
    folder = examples_dir() / "configs" / job_name
    if not folder.is_dir():
        return {}
    examples: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        examples[path.name] = json.loads(path.read_text(encoding="utf-8"))
    return examples


def job_package_files(name: str, packages: Iterable[str] | None = None) -> list[Path]:
    """Return the files called ``name`` at the top of each job package, in package order.

    Args:
        name: A file name, such as ``triggers.json``.
        packages: The job packages; defaults to :func:`dwh.settings.job_packages`.
    """
    return [
        folder / name
        for package in packages or job_packages()
        for folder in _package_dirs(package)
        if (folder / name).is_file()
    ]


def _package_dirs(package: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations if Path(p).is_dir()]

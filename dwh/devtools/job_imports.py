"""``dwh check``'s ``job-import`` rule: a job never imports another job, in any job package.

import-linter's independence contract in ``pyproject.toml`` names the shipped jobs; this
rule covers every registered job of every job package (``dwh.jobs``, the project's own,
``$DWH_JOB_PACKAGES``), jobs scaffolded a minute ago included. Code that several jobs
need goes in the package's ``_shared/`` folder (``dwh new --package`` creates it),
which the registry never takes for a job. Read from the source with :mod:`ast`, so
nothing is imported; relative imports are resolved.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dwh.registry import JobInfo

__all__ = ["RULE", "cross_job_imports"]

RULE = "job-import"
"""The name these violations carry."""


def cross_job_imports(job: JobInfo, jobs: Sequence[JobInfo]) -> list[tuple[Path, int, str]]:
    """Return ``(file, line, other job's module)`` for each import of another job in ``job``.

    Args:
        job: The job whose folder is read.
        jobs: Every registered job (what counts as another job).
    """
    others = [
        f"{j.package}.{j.name}" for j in jobs if (j.package, j.name) != (job.package, job.name)
    ]
    folder = Path(job.path).parent
    own = f"{job.package}.{job.name}"
    found: list[tuple[Path, int, str]] = []
    for path in sorted(folder.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (OSError, SyntaxError, ValueError):
            continue  # the import rule reports files that do not parse
        parts = [*own.split("."), *path.relative_to(folder).with_suffix("").parts]
        package = parts[:-1]  # a module's package; an __init__.py's is its own folder
        for node in ast.walk(tree):
            names = _imported(node, package)
            hit = next((n for n in names for o in others if n == o or n.startswith(o + ".")), None)
            if hit is not None:  # one violation a statement
                found.append((path, getattr(node, "lineno", 1), hit))
    return found


def _imported(node: ast.AST, package: list[str]) -> list[str]:
    """The modules an import statement may load (``from m import x``: ``m`` and ``m.x``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package[: len(package) - node.level + 1]
        module = ".".join([*base, *([node.module] if node.module else [])])
    else:
        module = node.module or ""
    return [module, *(f"{module}.{alias.name}" for alias in node.names)]

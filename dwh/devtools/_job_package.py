"""A new job package for ``dwh new --package P``: its folders, and its line in pyproject.toml.

A package that is not a job package yet is created under the project root (the folders
and ``__init__.py`` files that are missing, and ``P/_shared/`` for the code its jobs
share) and declared in the project's ``pyproject.toml``::

    [tool.dwh]
    job_packages = ["dwh.jobs", "shop.jobs"]

which :func:`dwh.settings.job_packages` reads, so ``dwh list`` shows the new job at
once, and :func:`dwh.registry.make_importable` imports the package from the project's
folder. ``DWH_JOB_PACKAGES``, when set, wins over the file; the plan says so.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dwh.errors import UsageError
from dwh.settings import (
    DEFAULT_JOB_PACKAGES,
    JOB_PACKAGES_ENV,
    PYPROJECT_JOB_PACKAGES,
    job_packages,
    job_packages_setting,
    project_job_packages,
)

__all__ = ["NewPackage", "check_package_name", "plan_package"]

SHARED = "_shared"
"""The folder of a job package that holds the code its jobs share."""

_SHARED_DOC = '''"""Code the jobs of ``{package}`` share (readers, column lists, UDFs).

A job may import from here; a job never imports another job (``dwh check``'s
``job-import`` rule). The registry skips folders whose name starts with ``_``.
"""
'''


@dataclass(frozen=True)
class NewPackage:
    """What making ``package`` a job package takes.

    Attributes:
        files: New ``__init__.py`` files, path → content (none exists yet).
        pyproject: The ``pyproject.toml`` to update, and its new text; None when the
            package is a job package already.
        note: How dwh finds the package, for the user.
    """

    files: dict[Path, str]
    pyproject: tuple[Path, str] | None
    note: str


def check_package_name(package: str) -> None:
    """Refuse a ``--package`` that is not a dotted Python package name.

    Raises:
        UsageError: Naming the argument and an example.
    """
    parts = package.split(".")
    if not all(p.isidentifier() and p.isascii() and not keyword.iskeyword(p) for p in parts):
        raise UsageError(
            f"invalid --package {package!r}: expected a dotted Python package name "
            "such as shop.jobs"
        )


def plan_package(package: str, root: Path) -> NewPackage:
    """Plan making ``package`` a job package of the project at ``root``.

    Raises:
        UsageError: The package exists outside the project root, or the project's
            ``pyproject.toml`` cannot be updated safely.
    """
    folder = root.joinpath(*package.split("."))
    parts = package.split(".")
    for depth in range(len(parts), 0, -1):  # the package, then each parent
        name = ".".join(parts[:depth])
        existing = _existing_dir(name)
        if existing is None or existing.resolve().is_relative_to(root):
            continue
        if name == package:
            raise UsageError(
                f"package {package!r} is not a job package ({', '.join(job_packages())}) and "
                f"lives outside the project root {root}; add it to {JOB_PACKAGES_ENV}"
            )
        raise UsageError(
            f"cannot create job package {package!r}: its parent {name!r} is installed "
            f"outside the project root ({existing}); pick a package of your own, "
            "such as shop.jobs"
        )
    files: dict[Path, str] = {}
    for depth in range(1, len(package.split(".")) + 1):
        name = ".".join(package.split(".")[:depth])
        init = root.joinpath(*name.split("."), "__init__.py")
        if not init.exists():
            kind = "Jobs" if depth == len(package.split(".")) else "Package"
            files[init] = f'"""{kind}: ``{name}``."""\n'
    shared = folder / SHARED / "__init__.py"
    if not shared.exists():
        files[shared] = _SHARED_DOC.format(package=package)
    pyproject = root / "pyproject.toml"
    declared = project_job_packages(root)
    current = declared.packages if declared and declared.packages else DEFAULT_JOB_PACKAGES
    text = _register(pyproject, current if package in current else (*current, package))
    note = (
        f"job package {package} is declared in {pyproject} ({PYPROJECT_JOB_PACKAGES}), "
        "so dwh finds it from this project"
    )
    if job_packages_setting():
        note += f"; {JOB_PACKAGES_ENV} is set and wins over it: add {package} to it too"
    return NewPackage(files=files, pyproject=(pyproject, text), note=note)


def _existing_dir(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _register(pyproject: Path, packages: tuple[str, ...]) -> str:
    """The text of ``pyproject`` with ``[tool.dwh] job_packages`` set to ``packages``."""
    text = pyproject.read_text(encoding="utf-8")
    line = "job_packages = [" + ", ".join(f'"{p}"' for p in packages) + "]"
    try:
        table = tomllib.loads(text).get("tool", {}).get("dwh")
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{pyproject} is not valid TOML ({exc}); fix it first") from None
    header = re.search(r"^\[tool\.dwh\][ \t]*(#.*)?$", text, re.M)
    if table is None:
        new = text.rstrip("\n") + "\n\n[tool.dwh]\n" + line + "\n"
    elif header is not None and "job_packages" not in table:
        new = text[: header.end()] + "\n" + line + text[header.end() :]
    elif header is not None:
        section = text[header.end() :]
        end = re.search(r"^\[", section, re.M)
        body = section[: end.start()] if end else section
        found = re.search(r"^job_packages[ \t]*=[ \t]*\[[^\]\n]*\][ \t]*(#.*)?$", body, re.M)
        if found is None:
            new = ""
        else:
            start = header.end() + found.start()
            new = text[:start] + line + text[header.end() + found.end() :]
    else:
        new = ""
    if not new or tomllib.loads(new).get("tool", {}).get("dwh", {}).get("job_packages") != list(
        packages
    ):
        raise UsageError(
            f"cannot update {PYPROJECT_JOB_PACKAGES} in {pyproject} safely; set it by hand: {line}"
        )
    return new

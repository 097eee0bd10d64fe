"""``dwh package``: build what a cluster runs, then prove it is complete.

Two artifacts go to ``dist/``:

- the wheel (``pip wheel``), for a Databricks ``python_wheel_task``, an EMR bootstrap or
  a container image;
- ``dwh-<version>-py-files.zip``, the job packages' sources as a flat zip for
  ``spark-submit --py-files`` and Glue's ``--extra-py-files``.

Then every registered job module is imported from each artifact alone, in a clean
interpreter (``python -I -S``, a scratch working directory, no ``.pth`` files, so not
even an editable install of this repository is visible), with only the standard
library and the third-party dependencies besides. A module that imports fine from the
checkout but not from the artifact (a file left out, a stray ``sys.path`` trick) fails
the build here rather than on the cluster.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dwh.devtools.project import find_project_root
from dwh.errors import PackagingError, UsageError
from dwh.registry import JobInfo, discover_jobs

_ZIP_TIME = (2020, 2, 2, 0, 0, 0)  # fixed, so the same sources give the same zip
_SKIP_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}

# Run by the clean interpreter: put the artifact first, the dependencies after it,
# import each module and say where it came from.
_IMPORT_PROBE = """
import importlib, json, sys
artifact, deps, modules = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
sys.path[:0] = [artifact, *json.loads(sys.argv[4])]
sys.path.extend(deps)
results = {}
for name in modules:
    try:
        module = importlib.import_module(name)
        origin = getattr(module, "__file__", None) or ""
        results[name] = None if origin.startswith(artifact) else f"imported from {origin}"
    except BaseException as exc:
        results[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(results))
"""


@dataclass(frozen=True)
class ImportFailure:
    """A job module that does not import from an artifact.

    Attributes:
        artifact: The wheel or zip.
        module: The job module.
        error: Why it failed, one line.
    """

    artifact: Path
    module: str
    error: str


@dataclass(frozen=True)
class PackageResult:
    """What ``dwh package`` built and checked.

    Attributes:
        wheel: The wheel.
        zip: The ``--py-files`` zip.
        modules: The job modules imported from the artifacts.
        failures: The modules that did not import, per artifact.
    """

    wheel: Path
    zip: Path
    modules: list[str]
    failures: list[ImportFailure]

    @property
    def ok(self) -> bool:
        """True when every job module imports from every artifact."""
        return not self.failures


@dataclass(frozen=True)
class ArtifactNames:
    """The file names ``dwh package`` gives dwh's artifacts (in ``dist/``).

    Attributes:
        wheel: The wheel, ``dwh-<version>-py3-none-any.whl``.
        zip: The ``--py-files`` zip, ``dwh-<version>-py-files.zip``.
    """

    wheel: str
    zip: str


def artifact_names(version: str | None = None) -> ArtifactNames:
    """Return the artifacts' file names for ``version`` (default: this dwh's).

    What ``dwh deploy airflow`` points tasks at, so it needs no build to know them.
    """
    from dwh._version import __version__

    version = version or __version__
    return ArtifactNames(wheel=f"dwh-{version}-py3-none-any.whl", zip=f"dwh-{version}-py-files.zip")


def project_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above ``start`` (default: cwd) with a pyproject.toml.

    Raises:
        UsageError: There is none.
    """
    here = (start or Path.cwd()).resolve()
    root = find_project_root(here)
    if root is None:
        raise UsageError(f"no pyproject.toml in {here} or above; run dwh package in the project")
    return root


def build_wheel(root: Path, dist: Path) -> Path:
    """Build the project's wheel into ``dist`` with pip and return its path.

    Raises:
        PackagingError: pip failed.
    """
    dist.mkdir(parents=True, exist_ok=True)
    before = set(dist.glob("*.whl"))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(root)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(5, "--no-build-isolation")  # the backend is here; skip a fresh venv
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise PackagingError(f"building the wheel failed: {tail[0]}")
    wheels = sorted(dist.glob("*.whl"), key=lambda p: p.stat().st_mtime)
    fresh = [w for w in wheels if w not in before] or wheels
    return fresh[-1]


def build_zip(packages: Iterable[str], dist: Path, *, name: str) -> Path:
    """Zip the top-level packages holding ``packages`` for ``--py-files``.

    Sources and package data go in; caches and bytecode stay out. Entries are sorted
    and time-stamped alike, so the same sources give the same bytes.

    Raises:
        UsageError: A package cannot be found.
    """
    dist.mkdir(parents=True, exist_ok=True)
    target = dist / name
    tops = sorted({package.split(".")[0] for package in packages})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for top in tops:
            folder = _package_dir(top)
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(folder.parent)
                if path.is_dir() or _SKIP_DIRS & set(relative.parts):
                    continue
                if path.suffix in _SKIP_SUFFIXES:
                    continue
                info = zipfile.ZipInfo(relative.as_posix(), date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    return target


def dependency_paths() -> list[str]:
    """The site-packages folders the clean interpreter may use for third-party modules."""
    paths = sysconfig.get_paths()
    return sorted({paths["purelib"], paths["platlib"]})


def import_failures(
    artifact: Path, modules: Sequence[str], *, also: Sequence[Path] = ()
) -> list[ImportFailure]:
    """Import ``modules`` from ``artifact`` alone in a clean interpreter; return the failures.

    A module counts as failed if it raises on import or is found anywhere but inside
    the artifact.

    Args:
        artifact: The wheel or zip, first on ``sys.path``.
        modules: The modules to import.
        also: Archives placed after the artifact: the dwh framework, for a project's
            wheel that depends on dwh rather than containing it.
    """
    if not modules:
        return []
    with tempfile.TemporaryDirectory(prefix="dwh-package-") as scratch:
        proc = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                _IMPORT_PROBE,
                str(artifact.resolve()),
                json.dumps(dependency_paths()),
                json.dumps(list(modules)),
                json.dumps([str(path.resolve()) for path in also]),
            ],
            cwd=scratch,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
            check=False,
        )
    try:
        results: dict[str, str | None] = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return [ImportFailure(artifact, name, f"interpreter died: {tail[0]}") for name in modules]
    return [ImportFailure(artifact, name, error) for name, error in results.items() if error]


def package(
    root: Path | None = None, dist: Path | None = None, jobs: Sequence[JobInfo] | None = None
) -> PackageResult:
    """Build the wheel and the ``--py-files`` zip, then import every job module from each.

    Args:
        root: The project root (default: found from the working directory).
        dist: Where the artifacts go (default: ``<root>/dist``).
        jobs: The jobs to check (default: every registered job).
    """
    root = root or project_root()
    dist = dist or root / "dist"
    selected = list(discover_jobs() if jobs is None else jobs)
    modules = [job.module for job in selected]
    wheel = build_wheel(root, dist)
    archive = build_zip(
        {job.package for job in selected} | {"dwh"}, dist, name=artifact_names().zip
    )
    in_wheel = set(_wheel_top_levels(wheel))
    failures = import_failures(archive, modules)
    with tempfile.TemporaryDirectory(prefix="dwh-framework-") as scratch:
        # A project's own wheel depends on dwh instead of holding it: put dwh after it.
        framework = [] if "dwh" in in_wheel else [build_zip(["dwh"], Path(scratch), name="dwh.zip")]
        failures += import_failures(
            wheel, [m for m in modules if m.split(".")[0] in in_wheel], also=framework
        )
    missing = [m for m in modules if m.split(".")[0] not in in_wheel]
    failures += [
        ImportFailure(wheel, m, "its package is not in the wheel (only in the zip)")
        for m in missing
    ]
    return PackageResult(wheel=wheel, zip=archive, modules=modules, failures=failures)


def _wheel_top_levels(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        names = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    return sorted(n for n in names if not n.endswith((".dist-info", ".data")))


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"package {package!r} cannot be found on the Python path")
    return Path(next(iter(spec.submodule_search_locations)))

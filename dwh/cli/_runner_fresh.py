"""When the warm runner is out of date, and whether it fits a caller's environment.

The runner holds modules imported once; a child it forks runs with them. So the runner
is out of date, and replaces itself, when any of these has changed since it started:

- a source file of a module it holds, outside the standard library and the installed
  packages (dwh's own files, a ``PYTHONPATH`` checkout): its size or modification time;
- the installed packages: the modification time of each ``site-packages`` folder on
  its path (installing, upgrading or removing a package adds or removes entries there);
- the Python executable (its inode or modification time) or the standard library's
  folder;
- the Spark server it was paired with (the pid the discovery file records).

A caller fits the runner when it is the same Python, its ``sys.path`` holds every
folder of the runner's, and each top-level module the runner holds is the one the
caller's path would import first (the order of the folders may differ: an editable
install's folder comes last in a runner's path and first in a ``PYTHONPATH`` caller's).
A job's modules, which the runner never imports, are read fresh by every child, on the
caller's path: an edit to a job never needs a new runner.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from dwh.spark._discovery import read_recorded

__all__ = ["Fingerprint", "misfit", "take"]


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _roots() -> tuple[list[str], list[str]]:
    """The standard library's folders and the site-packages folders on ``sys.path``."""
    paths = sysconfig.get_paths()
    stdlib = [os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib")]
    sites = {os.path.realpath(p) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    on_path = [os.path.realpath(p) for p in sys.path if p]
    return stdlib, [p for p in on_path if p in sites]


def _held_sources(stdlib: list[str], sites: list[str]) -> list[str]:
    skip = tuple(root + os.sep for root in [*stdlib, *sites])
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            real = os.path.realpath(path)
            if not real.startswith(skip):
                files.add(real)
    return sorted(files)


@dataclass
class Fingerprint:
    """What the runner's modules depend on, as it was when it took them."""

    sources: dict[str, tuple[int, int, int] | None] = field(default_factory=dict)
    folders: dict[str, tuple[int, int, int] | None] = field(default_factory=dict)
    python: dict[str, tuple[int, int, int] | None] = field(default_factory=dict)
    server_pid: int | None = None

    def changed(self) -> str | None:
        """Why the runner is out of date now, or None."""
        for path, before in self.sources.items():
            if _stamp(path) != before:
                return f"{_short(path)} changed"
        for path, before in self.folders.items():
            if _stamp(path) != before:
                return f"the installed packages changed ({path})"
        for path, before in self.python.items():
            if _stamp(path) != before:
                return f"the Python installation changed ({path})"
        recorded = read_recorded()
        if recorded is None or recorded.pid != self.server_pid:
            return "the Spark server it was paired with is gone or was replaced"
        return None


def take() -> Fingerprint:
    """Stamp everything :meth:`Fingerprint.changed` compares (after the imports)."""
    stdlib, sites = _roots()
    recorded = read_recorded()
    return Fingerprint(
        sources={path: _stamp(path) for path in _held_sources(stdlib, sites)},
        folders={path: _stamp(path) for path in sites},
        python={path: _stamp(path) for path in [os.path.realpath(sys.executable), *stdlib]},
        server_pid=recorded.pid if recorded else None,
    )


def misfit(executable: str, caller_path: list[str], path0: str | None, cwd: str) -> str | None:
    """Why a caller with this Python and ``sys.path`` can't use the runner, or None.

    ``path0`` is the child's ``sys.path[0]`` (``""``: its working directory ``cwd``).
    """
    if os.path.realpath(executable) != os.path.realpath(sys.executable):
        return f"it runs {sys.executable}, not {executable}"
    mine = [p for p in sys.path if p]
    theirs = [p for p in caller_path if p]
    missing = [p for p in mine if p not in theirs]
    if missing:
        return f"the caller's Python path lacks {missing[0]}"
    first = [] if path0 is None else [os.path.join(cwd, path0) if path0 else cwd]
    return _another_copy([*first, *theirs])


def _another_copy(folders: list[str]) -> str | None:
    """Where ``folders``, searched in order, import another copy of a held top-level module."""
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if "." in name or not isinstance(origin, str):
            continue
        held = Path(origin).resolve()
        held = held.parent if held.name == "__init__.py" else held
        for folder in folders:
            found = _importable(Path(folder), name)
            if found:
                if found[0].resolve() != held:
                    return f"{folder} holds another copy of {name}"
                break
    return None


def _importable(folder: Path, name: str) -> list[Path]:
    """What ``folder`` holds that ``import name`` would take: a package or a module.

    A folder without ``__init__.py`` is a namespace portion, which never wins over a
    regular package later on the path.
    """
    found = [folder / name] if (folder / name / "__init__.py").is_file() else []
    if (folder / f"{name}.py").is_file():
        found.append(folder / f"{name}.py")
    return found


def _short(path: str) -> str:
    parts = Path(path).parts
    return str(Path(*parts[parts.index("dwh") :])) if "dwh" in parts else path

"""The project root: the nearest folder at or above a path that holds a ``pyproject.toml``.

``dwh new``, ``dwh package`` and the notebooks find it the same way, so every file a
command writes or reads belongs to one project, whatever the working directory.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["find_project_root"]


def find_project_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` with a ``pyproject.toml``, or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return None

"""The project root: the nearest folder at or above a path that holds a ``pyproject.toml``.

``dwh new``, ``dwh package``, the notebooks and ``$DWH_HOME``'s default find it the same
way (:func:`dwh.settings.find_project_root`), so every file a command writes or reads
belongs to one project, whatever the working directory.
"""

from __future__ import annotations

from dwh.settings import find_project_root

__all__ = ["find_project_root"]

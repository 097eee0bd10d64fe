"""Where a notebook's relative paths resolve: the project root, from any working directory.

JupyterLab starts a kernel in the notebook's folder (``notebooks/``), papermill in its
``--cwd``; the example configs' relative paths (``demo-data/...``) mean the project
root. :func:`use_project_root` makes the kernel work there and says so, in one line.
"""

from __future__ import annotations

import os
from pathlib import Path

from dwh.devtools.project import find_project_root
from dwh.settings import PROJECT_ROOT_ENV, project_root_setting

__all__ = ["PROJECT_ROOT_ENV", "project_root", "use_project_root"]


def project_root(start: Path | None = None) -> Path:
    """Return the project root: ``$DWH_PROJECT_ROOT``, else the nearest folder from
    ``start`` (default the working directory) upwards holding a ``pyproject.toml``, else
    ``start`` itself."""
    configured = project_root_setting()  # set by ``dwh notebook`` for its kernels
    if configured:
        return Path(configured).expanduser().resolve()
    here = (start or Path.cwd()).resolve()
    return find_project_root(here) or here


def use_project_root() -> Path:
    """Make the project root the working directory, so relative paths resolve there.

    Called by the first code cell of every notebook. Under papermill run from the
    project root (the documented way) it changes nothing.

    Returns:
        The working directory now in use (printed too, so the notebook says it plainly).
    """
    root = project_root()
    if Path.cwd().resolve() != root:
        os.chdir(root)
    print(f"relative paths resolve against {root}")
    return root

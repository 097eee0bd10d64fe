"""Process-wide settings, read from the environment.

Everything has a default that works on a laptop, so nothing needs setting:

- ``DWH_HOME``: where dwh keeps its state (run store, saved configs). Default ``./.dwh``.
- ``DWH_JOB_PACKAGES``: comma-separated packages that hold job modules. Only modules
  under these packages may be run by the generic entry. Default ``dwh.jobs``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_JOB_PACKAGES: tuple[str, ...] = ("dwh.jobs",)

MAX_CONFIG_BYTES = 1024 * 1024
"""Configs larger than this (1 MiB) are refused before they are parsed."""


def dwh_home() -> Path:
    """Return the state folder, ``$DWH_HOME`` or ``./.dwh``."""
    return Path(os.environ.get("DWH_HOME") or ".dwh")


def job_packages() -> tuple[str, ...]:
    """Return the packages whose modules may be run, from ``$DWH_JOB_PACKAGES``."""
    raw = os.environ.get("DWH_JOB_PACKAGES", "")
    packages = tuple(p.strip().rstrip(".") for p in raw.split(",") if p.strip())
    return packages or DEFAULT_JOB_PACKAGES

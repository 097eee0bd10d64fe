"""Whether lineage is configured, and the job namespace, read the OpenLineage way.

The openlineage-python client finds its configuration in ``$OPENLINEAGE_CONFIG``,
``./openlineage.yml``, ``~/.openlineage/openlineage.yml``, ``OPENLINEAGE__...``
variables and ``$OPENLINEAGE_URL``. With none of them the client would fall back to
printing events on the console; dwh instead emits nothing and never imports the
client. ``OPENLINEAGE_DISABLED=true`` turns lineage off whatever else is set.

This module is light: it reads the environment and looks for files, nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_NAMESPACE = "dwh"
"""The OpenLineage job namespace when the configuration names none."""

CONFIG_ENV = "OPENLINEAGE_CONFIG"
URL_ENV = "OPENLINEAGE_URL"
DISABLED_ENV = "OPENLINEAGE_DISABLED"
NAMESPACE_ENV = "OPENLINEAGE_NAMESPACE"
DYNAMIC_PREFIX = "OPENLINEAGE__"
CONFIG_FILE_NAME = "openlineage.yml"


def lineage_disabled(environ: Mapping[str, str] | None = None) -> bool:
    """Return whether ``OPENLINEAGE_DISABLED`` is ``true`` (the client's own rule)."""
    env = os.environ if environ is None else environ
    return env.get(DISABLED_ENV, "").strip().lower() == "true"


def config_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the OpenLineage config file the client would read, or None.

    In the client's order: ``$OPENLINEAGE_CONFIG``, ``./openlineage.yml``, then
    ``~/.openlineage/openlineage.yml``; only a readable file counts.
    """
    env = os.environ if environ is None else environ
    candidates = [
        env.get(CONFIG_ENV) or None,
        str(Path.cwd() / CONFIG_FILE_NAME),
        str(Path(env.get("HOME") or Path.home()) / ".openlineage" / CONFIG_FILE_NAME),
    ]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.R_OK):
            return Path(candidate)
    return None


def lineage_configured(environ: Mapping[str, str] | None = None) -> bool:
    """Return whether any OpenLineage configuration is present and lineage is not disabled."""
    env = os.environ if environ is None else environ
    if lineage_disabled(env):
        return False
    if env.get(URL_ENV) or any(name.startswith(DYNAMIC_PREFIX) for name in env):
        return True
    return config_file(env) is not None


def lineage_namespace(environ: Mapping[str, str] | None = None) -> str:
    """Return the job namespace: the first of these that is set, else ``dwh``.

    1. ``$OPENLINEAGE_NAMESPACE`` (the variable Airflow's and dbt's integrations read);
    2. ``$OPENLINEAGE__JOB__NAMESPACE``;
    3. ``job: {namespace: ...}`` in the config file (the Java client's key).
    """
    env = os.environ if environ is None else environ
    for name in (NAMESPACE_ENV, f"{DYNAMIC_PREFIX}JOB__NAMESPACE"):
        if value := env.get(name, "").strip():
            return value
    path = config_file(env)
    if path is not None:
        namespace = _file_namespace(path)
        if namespace:
            return namespace
    return DEFAULT_NAMESPACE


def _file_namespace(path: Path) -> str | None:
    import yaml  # type: ignore[import-untyped]  # openlineage-python's dependency

    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None  # the client reports a broken file itself
    job = data.get("job") if isinstance(data, dict) else None
    namespace = job.get("namespace") if isinstance(job, dict) else None
    return namespace.strip() if isinstance(namespace, str) and namespace.strip() else None

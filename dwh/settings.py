"""Process-wide settings: every ``DWH_*`` environment variable is read here and only here.

Everything has a default that works on a laptop, so nothing needs setting:

=========================  ==================================================================
``DWH_HOME``               where dwh keeps its state (run store, saved configs, logs);
                           ``<project root>/.dwh`` inside a project (a folder with a
                           ``pyproject.toml`` at or above the working directory), else
                           ``~/.dwh``: never the bare working directory, so a
                           ``spark-submit`` from any folder leaves nothing there
``DWH_JOB_PACKAGES``       comma-separated packages whose modules the generic entry may run;
                           the project's ``[tool.dwh] job_packages``, else ``dwh.jobs``
``DWH_EVENTS``             the events stream of a run (``-``, ``fd:N`` or a path) when the
                           factory is given none; no stream
``DWH_RUN_STORE``          the run store's file, or ``off``; ``$DWH_HOME/runs.db``, off
                           when that home cannot be written (a cluster user without one)
``DWH_LOCK_DIR``           the folder of output lock files; ``<tmp>/dwh-locks``
``DWH_ALERTS``             comma-separated alert sinks (``stderr``, ``webhook``) or ``off``;
                           ``stderr``
``DWH_ALERT_WEBHOOK``      the URL the ``webhook`` sink posts to; none
``DWH_TRIGGERS``           the trigger map file for ``dwh run --follow``; none
``DWH_LOG_KEEP``           how many launched runs' process logs ``$DWH_HOME/logs`` keeps
                           (``0``: store none); ``500``
``DWH_KEEP_VERSIONS``      how many replaced versions of each output folder stay hidden
                           beside it, the baselines ``dwh diff`` compares with (``0``:
                           none); ``1``
``DWH_SPARK_PREWARM``      keep a spare session on the local warm server, Python workers up,
                           for the next warm run (``off`` to not); on
``DWH_WARM_RUNNER``        keep a resident, pre-imported process beside the local warm
                           server that forks each warm run (``off`` to not); on
``DWH_SPARK_PORT``         the port a newly started local Spark server listens on; 15002
``DWH_SPARK_MAX_MEMORY``   the local Spark server's memory ceiling (its whole process
                           tree's PSS, e.g. ``3g``, ``2500m``, or ``off``), past which it
                           is restarted when idle; ``3g``
``DWH_SPARK_STARTUP_LOG``  ``on``: a local session prints Spark's start-up notices (the
                           native-hadoop warning, ...) that dwh's log4j2 file hides; the
                           launcher sets it for its children, stores those lines in the
                           run's log and keeps them off the terminal; off
``DWH_DEBUG``              ``1``: lineage ``FAIL`` events carry the stack trace, as with the
                           entry's ``--debug``; off
``DWH_PROJECT_ROOT``       the project whose ``notebooks/`` the notebook helpers use; found
                           from the working directory
=========================  ==================================================================

The job packages can also be declared in the project's ``pyproject.toml`` (the nearest
one at or above the working directory), which ``dwh new --package`` writes::

    [tool.dwh]
    job_packages = ["dwh.jobs", "shop.jobs"]

``DWH_JOB_PACKAGES``, when set, wins over it. A package declared there is imported from
the project's folder (:func:`project_job_packages`), installed or not.

A switch is off when its value is one of :data:`OFF_WORDS` and on for
:data:`ON_WORDS`, in any case, for every setting that is a switch.

Each reader takes an optional ``environ`` mapping (the process's own by default), so
code that prepares a child's environment can ask what the child will see. The readers
return the raw, trimmed setting; the module that owns a setting's meaning (the run
store, the alert sinks) interprets it and reports a bad value. pydantic-settings would
read these too, but it adds 38 to 63 ms to every light command's import, measured
with ``python -X importtime``, for nine strings.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALERTS_ENV",
    "ALERT_WEBHOOK_ENV",
    "DEBUG_ENV",
    "DEFAULT_JOB_PACKAGES",
    "EVENTS_ENV",
    "HOME_ENV",
    "JOB_PACKAGES_ENV",
    "KEEP_VERSIONS_ENV",
    "LOCK_DIR_ENV",
    "LOG_KEEP_ENV",
    "MAX_CONFIG_BYTES",
    "OFF_WORDS",
    "ON_WORDS",
    "PROJECT_ROOT_ENV",
    "PYPROJECT_JOB_PACKAGES",
    "RUN_STORE_ENV",
    "SPARK_MAX_MEMORY_ENV",
    "SPARK_PORT_ENV",
    "SPARK_PREWARM_ENV",
    "SPARK_STARTUP_LOG_ENV",
    "TRIGGERS_ENV",
    "WARM_RUNNER_ENV",
    "ProjectJobPackages",
    "alert_sinks_setting",
    "alert_webhook",
    "debug_enabled",
    "dwh_home",
    "environ_scope",
    "events_target",
    "find_project_root",
    "home_setting",
    "home_writable",
    "is_off",
    "is_on",
    "job_packages",
    "job_packages_setting",
    "keep_versions_setting",
    "lock_dir",
    "log_keep_setting",
    "project_job_packages",
    "project_root_setting",
    "run_store_setting",
    "spark_max_memory_setting",
    "spark_port",
    "spark_prewarm_enabled",
    "spark_startup_log_enabled",
    "triggers_path",
    "warm_runner_enabled",
]

HOME_ENV = "DWH_HOME"
JOB_PACKAGES_ENV = "DWH_JOB_PACKAGES"
EVENTS_ENV = "DWH_EVENTS"
RUN_STORE_ENV = "DWH_RUN_STORE"
LOCK_DIR_ENV = "DWH_LOCK_DIR"
ALERTS_ENV = "DWH_ALERTS"
ALERT_WEBHOOK_ENV = "DWH_ALERT_WEBHOOK"
TRIGGERS_ENV = "DWH_TRIGGERS"
LOG_KEEP_ENV = "DWH_LOG_KEEP"
SPARK_PREWARM_ENV = "DWH_SPARK_PREWARM"
SPARK_PORT_ENV = "DWH_SPARK_PORT"
WARM_RUNNER_ENV = "DWH_WARM_RUNNER"
SPARK_MAX_MEMORY_ENV = "DWH_SPARK_MAX_MEMORY"
SPARK_STARTUP_LOG_ENV = "DWH_SPARK_STARTUP_LOG"
DEBUG_ENV = "DWH_DEBUG"
PROJECT_ROOT_ENV = "DWH_PROJECT_ROOT"
KEEP_VERSIONS_ENV = "DWH_KEEP_VERSIONS"

OFF_WORDS: frozenset[str] = frozenset({"off", "none", "false", "0", "no", "disabled"})
"""The values that turn a switch off (``DWH_RUN_STORE``, ``DWH_ALERTS``, ...), any case."""

ON_WORDS: frozenset[str] = frozenset({"on", "true", "1", "yes"})
"""The values that turn a switch on (``DWH_DEBUG``), any case."""

DEFAULT_JOB_PACKAGES: tuple[str, ...] = ("dwh.jobs",)

PYPROJECT_JOB_PACKAGES = "[tool.dwh] job_packages"
"""Where ``pyproject.toml`` declares the job packages (see the module docstring)."""

MAX_CONFIG_BYTES = 1024 * 1024
"""Configs larger than this (1 MiB) are refused before they are parsed."""


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def dwh_home(environ: Mapping[str, str] | None = None) -> Path:
    """Return the state folder: ``$DWH_HOME``, else the project's ``.dwh``, else ``~/.dwh``.

    The project is ``$DWH_PROJECT_ROOT``, else the nearest folder at or above the
    working directory holding a ``pyproject.toml``. Outside any project (a cluster's
    container folder, a ``spark-submit`` from elsewhere) it is the user's ``~/.dwh``,
    never the working directory; with no home at all, ``<tmp>/dwh-<user>``, which
    :func:`home_writable` may still refuse.
    """
    configured = home_setting(environ)
    if configured:
        return Path(configured)
    root = project_root_setting(environ)
    project = Path(root).expanduser() if root else find_project_root(Path.cwd())
    if project is not None:
        return project / ".dwh"
    try:
        return Path.home() / ".dwh"
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        return Path(tempfile.gettempdir()) / f"dwh-{os.getuid()}"


def home_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_HOME`` trimmed, ``""`` when unset (the default of :func:`dwh_home`)."""
    return _env(environ).get(HOME_ENV, "").strip()


def find_project_root(start: Path) -> Path | None:
    """Return the nearest folder at or above ``start`` with a ``pyproject.toml``, or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return None


def home_writable(home: Path) -> bool:
    """Whether ``home`` is, or can be created as, a folder this process may write in."""
    here = home.absolute()
    while not here.exists():
        if here.parent == here:
            return False
        here = here.parent
    return here.is_dir() and os.access(here, os.W_OK | os.X_OK)


def job_packages(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Return the packages whose modules may be run.

    ``$DWH_JOB_PACKAGES`` when set; else the project's ``[tool.dwh] job_packages``
    (:func:`project_job_packages`); else ``dwh.jobs``.
    """
    raw = _env(environ).get(JOB_PACKAGES_ENV, "")
    packages = tuple(p.strip().rstrip(".") for p in raw.split(",") if p.strip())
    if packages:
        return packages
    declared = project_job_packages()
    return declared.packages if declared and declared.packages else DEFAULT_JOB_PACKAGES


def job_packages_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_JOB_PACKAGES`` trimmed, ``""`` when unset (the project's, or the default)."""
    return _env(environ).get(JOB_PACKAGES_ENV, "").strip()


@dataclass(frozen=True)
class ProjectJobPackages:
    """The job packages a project's ``pyproject.toml`` declares.

    Attributes:
        root: The project's folder (the ``pyproject.toml``'s), where they are imported from.
        pyproject: The ``pyproject.toml`` file.
        packages: ``[tool.dwh] job_packages``; empty when it has none.
    """

    root: Path
    pyproject: Path
    packages: tuple[str, ...]


def project_job_packages(start: Path | None = None) -> ProjectJobPackages | None:
    """Return the nearest ``pyproject.toml`` at or above ``start`` (default: the working
    directory) and its ``[tool.dwh] job_packages``, or None when no folder has one.

    A file that is not valid TOML, or a setting that is not a list of strings, declares
    no packages.
    """
    here = (start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        try:
            stamp = pyproject.stat().st_mtime_ns
        except OSError:
            continue
        return ProjectJobPackages(folder, pyproject, _declared_packages(str(pyproject), stamp))
    return None


@functools.lru_cache(maxsize=8)
def _declared_packages(path: str, stamp: int) -> tuple[str, ...]:
    """``[tool.dwh] job_packages`` of one version (``stamp``) of a ``pyproject.toml``."""
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError):
        return ()
    value = data.get("tool", {}).get("dwh", {}).get("job_packages", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ()
    return tuple(v.strip().rstrip(".") for v in value if v.strip())


def events_target(environ: Mapping[str, str] | None = None) -> str | None:
    """Return ``$DWH_EVENTS``, the default events stream of a run, or None when unset."""
    return _env(environ).get(EVENTS_ENV) or None


def run_store_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_RUN_STORE`` trimmed: a path, an off word, or ``""`` for the default."""
    return _env(environ).get(RUN_STORE_ENV, "").strip()


def lock_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the folder of lock files: ``$DWH_LOCK_DIR``, default ``<tmp>/dwh-locks``."""
    raw = _env(environ).get(LOCK_DIR_ENV)
    return Path(raw) if raw else Path(tempfile.gettempdir()) / "dwh-locks"


def alert_sinks_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_ALERTS`` trimmed and lower-cased, ``""`` when unset."""
    return _env(environ).get(ALERTS_ENV, "").strip().lower()


def alert_webhook(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_ALERT_WEBHOOK`` trimmed, ``""`` when unset."""
    return _env(environ).get(ALERT_WEBHOOK_ENV, "").strip()


def triggers_path(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_TRIGGERS`` trimmed, ``""`` when unset."""
    return _env(environ).get(TRIGGERS_ENV, "").strip()


def log_keep_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_LOG_KEEP`` trimmed, ``""`` when unset."""
    return _env(environ).get(LOG_KEEP_ENV, "").strip()


def is_off(value: str | None) -> bool:
    """Whether a setting's value is one of :data:`OFF_WORDS` (trimmed, any case)."""
    return (value or "").strip().lower() in OFF_WORDS


def is_on(value: str | None) -> bool:
    """Whether a setting's value is one of :data:`ON_WORDS` (trimmed, any case)."""
    return (value or "").strip().lower() in ON_WORDS


def keep_versions_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_KEEP_VERSIONS`` trimmed, ``""`` when unset."""
    return _env(environ).get(KEEP_VERSIONS_ENV, "").strip()


def spark_prewarm_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``$DWH_SPARK_PREWARM``: keep a spare warm session ready (on unless an off word)."""
    return not is_off(_env(environ).get(SPARK_PREWARM_ENV))


def warm_runner_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``$DWH_WARM_RUNNER``: warm runs go through the resident runner (on unless an off word)."""
    return not is_off(_env(environ).get(WARM_RUNNER_ENV))


def spark_port(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_SPARK_PORT`` trimmed, ``""`` when unset (the server's default)."""
    return _env(environ).get(SPARK_PORT_ENV, "").strip()


def spark_max_memory_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_SPARK_MAX_MEMORY`` trimmed, ``""`` when unset (the default ceiling)."""
    return _env(environ).get(SPARK_MAX_MEMORY_ENV, "").strip()


def spark_startup_log_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``$DWH_SPARK_STARTUP_LOG``: show Spark's start-up notices (off unless an on word)."""
    return is_on(_env(environ).get(SPARK_STARTUP_LOG_ENV))


def debug_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """``$DWH_DEBUG``: say more about failures (off unless an on word)."""
    return is_on(_env(environ).get(DEBUG_ENV))


def project_root_setting(environ: Mapping[str, str] | None = None) -> str:
    """Return ``$DWH_PROJECT_ROOT`` trimmed, ``""`` when unset."""
    return _env(environ).get(PROJECT_ROOT_ENV, "").strip()


@contextlib.contextmanager
def environ_scope(
    overrides: Mapping[str, str | None] | None = None, *, restore: Iterable[str] = ()
) -> Iterator[None]:
    """Set (a value) or unset (None) ``overrides`` in ``os.environ`` for the block.

    On exit, those variables and the ones named in ``restore`` (which the block itself
    may set, as a Spark Connect session does) are put back as they were.
    """
    changes = dict(overrides or {})
    saved = {key: os.environ.get(key) for key in {*changes, *restore}}
    try:
        _set_environ(changes)
        yield
    finally:
        _set_environ(saved)


def _set_environ(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

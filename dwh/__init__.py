"""dwh: write a Spark ETL job once, run it from a terminal, a notebook, pytest and spark-submit.

The public API. Importing ``dwh`` never imports pyspark, and imports nothing else
either until a name is used: ``from dwh.registry import discover_jobs`` (as ``dwh list``
does) costs only the registry, not pydantic and the job base classes. The names below
load on first access (PEP 562), so ``from dwh import AbstractJob`` works as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dwh._lazy import lazy_exports

if TYPE_CHECKING:
    from dwh.config import JobConfig, config_schema, parse_config
    from dwh.errors import (
        ConfigError,
        DwhError,
        JobAlreadyRunningError,
        JobContractError,
        JobFailedError,
        JobModuleError,
        ModuleRefusedError,
        UsageError,
    )
    from dwh.events import Event
    from dwh.jobs.abstract_job import AbstractJob
    from dwh.jobs.abstract_job_factory import AbstractJobFactory
    from dwh.run_context import RunContext

from dwh._version import __version__

_HOMES = {
    "AbstractJob": "dwh.jobs.abstract_job",
    "AbstractJobFactory": "dwh.jobs.abstract_job_factory",
    "ConfigError": "dwh.errors",
    "DwhError": "dwh.errors",
    "Event": "dwh.events",
    "JobAlreadyRunningError": "dwh.errors",
    "JobConfig": "dwh.config",
    "JobContractError": "dwh.errors",
    "JobFailedError": "dwh.errors",
    "JobModuleError": "dwh.errors",
    "ModuleRefusedError": "dwh.errors",
    "RunContext": "dwh.run_context",
    "UsageError": "dwh.errors",
    "config_schema": "dwh.config",
    "parse_config": "dwh.config",
}


__getattr__, __dir__ = lazy_exports(globals(), _HOMES)


__all__ = [
    "AbstractJob",
    "AbstractJobFactory",
    "ConfigError",
    "DwhError",
    "Event",
    "JobAlreadyRunningError",
    "JobConfig",
    "JobContractError",
    "JobFailedError",
    "JobModuleError",
    "ModuleRefusedError",
    "RunContext",
    "UsageError",
    "__version__",
    "config_schema",
    "parse_config",
]

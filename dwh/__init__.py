"""dwh: write a Spark ETL job once, run it from a terminal, a notebook, pytest and spark-submit.

The public API. Importing ``dwh`` never imports pyspark.
"""

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

__version__ = "0.1.0"

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

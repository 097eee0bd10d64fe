"""What the TUI knows about each job: found by file, detailed on demand.

Listing uses :func:`dwh.registry.discover_jobs`, which reads files and never imports
a job module. Details (the config model and its schema) import one factory module,
which is light by contract; a module that fails to import becomes an error in its
:class:`JobDetail` instead of an exception.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dwh.config import config_schema
from dwh.errors import DwhError
from dwh.registry import JobInfo, discover_jobs, example_configs, load_factory
from tui.config_files import pretty_json
from tui.skeleton import skeleton_config

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dwh.config import JobConfig


@dataclass(frozen=True)
class JobDetail:
    """One job's config model, schema and examples, or why they are unavailable.

    Attributes:
        job: The job as found on disk.
        config_model: The job's pydantic config model; None when the module failed.
        schema: The JSON Schema of the config model ({} when unavailable).
        needs_spark: Whether the job needs a Spark session.
        examples: Example configs from ``examples/configs/<job>/``, by file name.
        error: Why the factory module could not be used, if it could not.
        warnings: Things worth knowing that do not stop the job (heavy imports).
    """

    job: JobInfo
    config_model: type[JobConfig] | None = None
    schema: dict[str, Any] = field(default_factory=dict)
    needs_spark: bool = True
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """Whether configs can be validated and runs started."""
        return self.config_model is not None and self.error is None

    def default_config(self) -> tuple[str, str]:
        """The config a new edit starts from, and where it came from.

        The first example, else a skeleton from the schema, else ``{}``.
        """
        if self.examples:
            name, config = next(iter(self.examples.items()))
            return pretty_json(config), f"example {name}"
        if self.schema:
            return pretty_json(skeleton_config(self.schema)), "skeleton from schema"
        return "{}\n", "empty"


class JobCatalog:
    """The registered jobs and a cache of their details.

    Args:
        packages: Job packages to search; None means the configured ones.
    """

    def __init__(self, packages: Iterable[str] | None = None) -> None:
        self._packages = tuple(packages) if packages is not None else None
        self._details: dict[str, JobDetail] = {}
        self.jobs: list[JobInfo] = []

    def refresh(self) -> list[JobInfo]:
        """Re-scan the job packages (files only) and forget cached details."""
        self.jobs = discover_jobs(self._packages)
        self._details.clear()
        return self.jobs

    def find(self, name: str) -> JobInfo | None:
        """Return the job with this name or factory module, if listed."""
        return next((j for j in self.jobs if name in (j.name, j.module)), None)

    def detail(self, job: JobInfo) -> JobDetail:
        """Return a job's detail, importing its factory module the first time."""
        if job.module not in self._details:
            self._details[job.module] = load_detail(job)
        return self._details[job.module]


def load_detail(job: JobInfo) -> JobDetail:
    """Import one factory module and describe its config; never raises."""
    had_pyspark = "pyspark" in sys.modules
    try:
        examples = example_configs(job.name)
    except (OSError, ValueError) as exc:
        examples = {}
        example_problem: str | None = f"examples could not be read: {exc}"
    else:
        example_problem = None
    try:
        factory = load_factory(job)
        model = factory.config_model
        schema = config_schema(model)
    except DwhError as exc:
        return JobDetail(job=job, examples=examples, error=str(exc))
    except Exception as exc:  # a broken model must not take the browser down
        return JobDetail(job=job, examples=examples, error=f"{type(exc).__name__}: {exc}")
    warnings: list[str] = []
    if example_problem:
        warnings.append(example_problem)
    if not had_pyspark and "pyspark" in sys.modules:
        warnings.append(
            f"{job.module} imports pyspark when imported; keep pyspark imports inside "
            "functions or under TYPE_CHECKING so listing and validating stay light"
        )
    return JobDetail(
        job=job,
        config_model=model,
        schema=schema,
        needs_spark=bool(getattr(factory, "needs_spark", True)),
        examples=examples,
        warnings=tuple(warnings),
    )

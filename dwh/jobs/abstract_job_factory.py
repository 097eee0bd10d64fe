"""The factory contract: parse and validate the config, build the job, run it.

A concrete factory declares its job's name and config model and implements
:meth:`AbstractJobFactory.create_job`, which wires the job's dependencies::

    class MyJobFactory(AbstractJobFactory[MyConfig]):
        job_name = "my"
        config_model = MyConfig

        def create_job(self, **kwargs) -> MyJob:
            config = self.parse_job_config(**kwargs)
            spark = self.get_spark_session()
            return MyJob(reader=ParquetReader(spark), **self.job_services())

    def main(**kwargs):
        return MyJobFactory(**kwargs).run(**kwargs)

The factory holds the contract and the order of a run's steps; each step's machinery
lives in its own package: the output locks and event sinks in :mod:`dwh.runs.wiring`,
the Spark session's life (spare sessions, code shipping, release) in
:mod:`dwh.spark.run_session`. The config is parsed once: :meth:`AbstractJobFactory.run`
parses it before the output locks, and ``create_job``'s
:meth:`~AbstractJobFactory.parse_job_config` gets that same validated config. pyspark
is imported only when a session is asked for, and the run store (SQLite) only when a
run starts.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, final

from dwh.checks.spec import Check, merge_checks, parse_check
from dwh.config import FRAMEWORK_FIELDS, ConfigT, JobConfig, parse_config
from dwh.errors import ConfigError, JobContractError, UsageError, did_you_mean
from dwh.events import EventName
from dwh.jobs.run_options import RunOptions
from dwh.redaction import redact_config, secret_values
from dwh.run_context import RunContext, new_run_id
from dwh.services.atomic_commit import local_path
from dwh.settings import debug_enabled, events_target
from dwh.spark.run_session import (
    RunSession,
    audit_published,
    audit_staged,
    track_run_progress,
    ui_url,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from dwh.checks.results import OutputAudit
    from dwh.jobs.abstract_job import AbstractJob
    from dwh.services.protocols import EventPublisher

__all__ = ["AbstractJobFactory", "RunOptions", "valid_params"]

_NO_CONFIG = object()


class AbstractJobFactory(ABC, Generic[ConfigT]):
    """Base class for job factories.

    Args:
        **kwargs: The same keyword arguments ``main`` receives: the config under
            ``<job_name>_job`` (or ``job_config``), plus the
            :class:`~dwh.jobs.run_options.RunOptions`. Unknown keywords are an error.

    Attributes:
        job_name: The job's name; its config argument is ``--<job_name>_job``.
        config_model: The pydantic model that validates the job's config.
        needs_spark: Whether the job needs a Spark session (``has_spark true``).
        config: The validated config, once :meth:`parse_job_config` has run.
        options: The validated run options.
    """

    job_name: ClassVar[str]
    config_model: ClassVar[type[JobConfig]]
    needs_spark: ClassVar[bool] = True
    uses_catalog: ClassVar[bool] = False
    """True: a local Spark session gets the embedded table catalog under ``$DWH_HOME``."""
    output_checks: ClassVar[Mapping[str, Sequence[Check]]] = {}
    """The job's outputs (the names it records) and the checks each must pass before it
    is published; a run's config adds to them under ``output_checks``."""
    diff_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    """Per output name, the columns that identify a row: ``dwh diff`` matches on them."""

    def __init__(self, **kwargs: Any) -> None:
        options = RunOptions.from_kwargs(kwargs, config_keys=self._config_keys())
        self.options = options
        self.has_spark: bool = self.needs_spark if options.has_spark is None else options.has_spark
        self.run_id: str = options.run_id or new_run_id()
        self.module_name: str | None = options.module_name or type(self).__module__
        self.config: ConfigT | None = None
        self._raw_config: object = _NO_CONFIG
        self._parse_calls = 0
        self._session = RunSession(
            app_name=f"dwh-{self.job_name}",
            remote=options.spark_remote,
            catalog=self.uses_catalog,
            module_name=self.module_name,
        )
        self._spark: SparkSession | None = None

    @final
    def run(self, **kwargs: Any) -> Any:
        """Create the job with :meth:`create_job`, then run it with its valid params.

        Returns:
            The job's results (its metrics).

        Raises:
            ConfigError: The config is invalid; no job ran.
            JobContractError: ``create_job`` broke the contract.
            JobAlreadyRunningError: A live run is writing one of :meth:`output_paths`.
        """
        config = self.parse_job_config(**kwargs)
        # The run history's package, imported here so the job contract never loads SQLite.
        from dwh.runs.wiring import output_locks, resolve_references

        # Locked after validation and before any Spark session, so a second run of the
        # same output fails fast (exit 3); the lock goes when the run ends or dies. The
        # session, if the job asks for one, is released when the run ends.
        locks = output_locks(
            self.output_paths(config),
            job=self.job_name,
            run_id=self.run_id,
            backfill_id=self.options.backfill_id,
        )
        with locks, self._session:
            parsed_before = self._parse_calls
            job = self.create_job(**kwargs)
            if self._parse_calls == parsed_before:
                raise JobContractError(
                    f"{type(self).__name__}.create_job() must call self.parse_job_config()"
                )
            params = valid_params(job.execute_job, self.job_params(config))
            job.spark_ui_url = self.spark_ui_url()
            job.output_checks = resolve_references(self.checks_for(config), self.options.run_store)
            job.auditor = audit_staged
            progress = track_run_progress(
                self._spark, lambda fields: job.publish(EventName.SPARK_PROGRESS, **fields)
            )
            with progress as stop_progress:
                job.stop_progress = stop_progress
                return job.run(**params)

    @abstractmethod
    def create_job(self, **kwargs: Any) -> AbstractJob:
        """Parse the config, make the services and return the assembled job."""

    def parse_job_config(self, **kwargs: Any) -> ConfigT:
        """Validate the config passed as ``<job_name>_job`` or ``job_config``.

        The config may be JSON text, ``@PATH`` or a dict. It is parsed once: asked
        again for the same config (as :meth:`run` and then ``create_job`` do), this
        returns the config already validated, and a ``@PATH`` file is not read again.
        Validation never touches Spark. A job that needs Spark, run with
        ``has_spark`` false, is refused here, with every problem of its config.

        Raises:
            ConfigError: It is missing, malformed or invalid; the problems include a
                ``has_spark`` false for a job that needs Spark.
            UsageError: The config is valid but the job needs Spark and ``has_spark``
                is false.
        """
        self._parse_calls += 1
        key = f"{self.job_name}_job"
        raw = kwargs[key] if key in kwargs else kwargs.get("job_config", _NO_CONFIG)
        if self.config is not None and _same_config(raw, self._raw_config):
            return self.config
        spark_problem = (
            "the job needs Spark: pass --has_spark true (got false)"
            if self.needs_spark and not self.has_spark
            else None
        )
        try:
            if raw is _NO_CONFIG:
                raise ConfigError(self.job_name, [f"no config given: pass --{key} '<json>'"])
            config: ConfigT = parse_config(self.config_model, raw, job=self.job_name)  # type: ignore[assignment]
        except ConfigError as err:
            if spark_problem is None:
                raise
            raise ConfigError(self.job_name, [spark_problem, *err.problems]) from None
        if spark_problem is not None:
            raise UsageError(f"job '{self.job_name}' {spark_problem.removeprefix('the job ')}")
        self._check_output_names(config)
        self.config = config
        self._raw_config = raw
        return config

    def checks_for(self, config: ConfigT) -> dict[str, list[Check]]:
        """Each output's checks: the declared ones, merged with the config's."""
        names = [
            *self.output_checks,
            *(n for n in config.output_checks if n not in self.output_checks),
        ]
        return {
            name: merge_checks(
                list(self.output_checks.get(name, ())),
                [parse_check(entry) for entry in config.output_checks.get(name, [])],
            )
            for name in names
        }

    def audit_published(self, **kwargs: Any) -> list[OutputAudit]:
        """Run the job's checks on its published outputs (``dwh audit``); write nothing.

        Raises:
            ConfigError: The config is invalid.
            UsageError: An output with checks has nothing published at its path.
        """
        from dwh.runs.wiring import resolve_references

        config = self.parse_job_config(**kwargs)
        checks = resolve_references(self.checks_for(config), self.options.run_store)
        targets = {n: p for n, p in self.output_targets(config).items() if checks.get(n)}
        for name, path in targets.items():
            if not _published(path):
                raise UsageError(f"output '{name}' of job '{self.job_name}': nothing at {path}")
        with self._session:
            return audit_published(self.get_spark_session(), targets, checks)

    def output_targets(self, config: ConfigT) -> dict[str, str]:
        """Return where each declared output is published, by name (``dwh audit`` reads
        them); default: none. A job with outputs overrides it."""
        return {}

    def _check_output_names(self, config: JobConfig) -> None:
        unknown = [name for name in config.output_checks if name not in self.output_checks]
        if unknown:
            known = ", ".join(self.output_checks) or "none declared"
            raise ConfigError(
                self.job_name,
                [
                    f"output_checks: job '{self.job_name}' records no output '{name}'"
                    f"{did_you_mean(name, list(self.output_checks))} (its outputs: {known})"
                    for name in unknown
                ],
            )

    def output_paths(self, config: ConfigT) -> list[str]:
        """Return the outputs this run writes, to lock for the run (default: none).

        While a run holds them, another run that names any of them fails at once with
        :class:`~dwh.errors.JobAlreadyRunningError` (see :mod:`dwh.runs.locks`).
        """
        return []

    def job_params(self, config: ConfigT) -> dict[str, Any]:
        """Return the parameters for ``execute_job``: by default the job's own fields.

        The framework's fields (``triggered_by_job``, ``triggered_by_run_id``) are not
        passed: they reach the job as its :class:`~dwh.run_context.RunContext`. So
        ``execute_job`` states exactly its config's fields, with no ``**kwargs``, and
        :func:`valid_params` checks them. Override to derive parameters (a run date,
        say) from the config.
        """
        return {
            name: getattr(config, name)
            for name in type(config).model_fields
            if name not in FRAMEWORK_FIELDS
        }

    def run_context(self) -> RunContext:
        """Return the run's context: its id, lineage and redacted config."""
        config = self._require_config()
        return RunContext(
            job=self.job_name,
            run_id=self.run_id,
            module=self.module_name,
            config=redact_config(config.model_dump(mode="json")),
            triggered_by_job=config.triggered_by_job,
            triggered_by_run_id=config.triggered_by_run_id,
            backfill_id=self.options.backfill_id,
        )

    def event_publisher(self) -> EventPublisher:
        """Return where this run's events go (:func:`dwh.runs.wiring.run_publisher`).

        The events stream (``events``, or ``$DWH_EVENTS``), the run store (``run_store``,
        or ``$DWH_RUN_STORE``), any injected ``event_publisher``, the alert sinks and
        OpenLineage, each event with the config's secret values hidden first. None of
        them can fail the job.

        Raises:
            UsageError: The alert settings are invalid (checked before the job runs).
        """
        from dwh.runs.wiring import run_publisher

        options = self.options
        return run_publisher(
            events=options.events or events_target(),
            run_store=options.run_store,
            module=self.module_name,
            extra=options.event_publisher,
            secrets=secret_values(self._require_config().model_dump(mode="json")),
            debug=debug_enabled() if options.debug is None else options.debug,
        )

    def job_services(self) -> dict[str, Any]:
        """Return the keyword arguments every job takes: context, publisher and secrets."""
        config = self._require_config()
        return {
            "context": self.run_context(),
            "publisher": self.event_publisher(),
            "secrets": frozenset(secret_values(config.model_dump(mode="json"))),
        }

    def get_spark_session(self) -> SparkSession:
        """Return the run's Spark session (:class:`~dwh.spark.run_session.RunSession`).

        Only when ``has_spark`` is true. On a warm server (``spark_remote``) it is a
        session of its own, released when the run ends.
        """
        if not self.has_spark:
            raise UsageError(f"job '{self.job_name}' asked for Spark but --has_spark is false")
        self._spark = self._session.get()
        return self._spark

    def spark_ui_url(self) -> str | None:
        """Return the Spark UI address of this run's session, or None; never fails the run.

        Only a classic session with its UI on has one (``spark-submit`` on a cluster).
        """
        return ui_url(self._spark)

    def _require_config(self) -> ConfigT:
        if self.config is None:
            raise JobContractError(
                f"{type(self).__name__}: call self.parse_job_config() before building services"
            )
        return self.config

    def _config_keys(self) -> tuple[str, str]:
        return (f"{self.job_name}_job", "job_config")


def _published(path: str) -> bool:
    """Whether something is at ``path`` (a remote URI is taken on trust: Spark will say)."""
    local = local_path(path)
    return local is None or local.exists()


def _same_config(raw: object, parsed: object) -> bool:
    """Whether ``raw`` is the config already parsed: the same object, or equal text."""
    if raw is parsed:
        return True
    return isinstance(raw, str | bytes) and type(raw) is type(parsed) and raw == parsed


def valid_params(execute_job: Callable[..., Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``params`` against ``execute_job``'s signature and return them.

    A function with ``**kwargs`` accepts everything. Otherwise a parameter it does
    not accept is a contract error, never silently dropped, and so is a required
    parameter that is missing.

    Raises:
        JobContractError: The params and the signature don't match.
    """
    signature = inspect.signature(execute_job)
    name = getattr(execute_job, "__qualname__", "execute_job")
    accepted = {
        p.name: p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    if not takes_any:
        unknown = sorted(set(params) - set(accepted))
        if unknown:
            raise JobContractError(
                f"{name}() does not accept {', '.join(map(repr, unknown))}; "
                f"it accepts: {', '.join(accepted) or 'nothing'}"
            )
    missing = [n for n, p in accepted.items() if p.default is p.empty and n not in params]
    if missing:
        raise JobContractError(f"{name}() needs {', '.join(map(repr, missing))}, not in the config")
    return dict(params)

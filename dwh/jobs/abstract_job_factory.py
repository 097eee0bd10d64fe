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

The factory owns config parsing, validation and the Spark session; the job owns none
of these. pyspark is imported only when a session is asked for.
"""

from __future__ import annotations

import difflib
import inspect
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, ClassVar, Generic, final

from dwh.config import ConfigT, JobConfig, parse_config
from dwh.errors import ConfigError, JobContractError, UsageError
from dwh.events import EventName
from dwh.redaction import redact_config, secret_values
from dwh.run_context import RunContext, new_run_id
from dwh.runs.locks import output_locks
from dwh.services.publishers import (
    FanOutPublisher,
    JsonLinesPublisher,
    RedactingPublisher,
    RunStorePublisher,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from dwh.jobs.abstract_job import AbstractJob
    from dwh.services.protocols import EventPublisher

RUN_OPTIONS: tuple[str, ...] = (
    "has_spark",
    "run_id",
    "events",
    "event_publisher",
    "module_name",
    "spark_remote",
    "run_store",
)
"""The keyword arguments every factory's ``main(**kwargs)`` accepts besides the config."""

EVENTS_ENV = "DWH_EVENTS"
"""Environment variable: the events stream (like ``events``) when none is passed."""

log = logging.getLogger(__name__)

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_bool(value: object, *, name: str) -> bool:
    """Parse ``true/false/1/0/yes/no`` (any case) or a bool, or raise a UsageError."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise UsageError(f"--{name} must be true or false, got {value!r}")


class AbstractJobFactory(ABC, Generic[ConfigT]):
    """Base class for job factories.

    Args:
        **kwargs: The same keyword arguments ``main`` receives: the config under
            ``<job_name>_job`` (or ``job_config``), plus :data:`RUN_OPTIONS`. Unknown
            keywords are an error.

    Attributes:
        job_name: The job's name; its config argument is ``--<job_name>_job``.
        config_model: The pydantic model that validates the job's config.
        needs_spark: Whether the job needs a Spark session (``has_spark true``).
        config: The validated config, once :meth:`parse_job_config` has run.
    """

    job_name: ClassVar[str]
    config_model: ClassVar[type[JobConfig]]
    needs_spark: ClassVar[bool] = True

    def __init__(self, **kwargs: Any) -> None:
        self._check_kwargs(kwargs)
        self.has_spark = parse_bool(kwargs.get("has_spark", self.needs_spark), name="has_spark")
        if self.needs_spark and not self.has_spark:
            raise UsageError(
                f"job '{self.job_name}' needs Spark: pass --has_spark true (got false)"
            )
        self.run_id: str = str(kwargs.get("run_id") or new_run_id())
        self.module_name: str | None = kwargs.get("module_name") or type(self).__module__
        self.events_target: str | None = kwargs.get("events") or os.environ.get(EVENTS_ENV) or None
        self.run_store_target: str | None = kwargs.get("run_store")
        self.spark_remote: str | None = kwargs.get("spark_remote")
        self._extra_publisher: EventPublisher | None = kwargs.get("event_publisher")
        self.config: ConfigT | None = None
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
        outputs = self.output_paths(self.parse_job_config(**kwargs))
        self.config = None  # create_job() must parse it too: checked below
        # Locked after validation and before any Spark session, so a second run of the
        # same output fails fast (exit 3); the lock goes when the run ends or dies.
        with output_locks(outputs, job=self.job_name, run_id=self.run_id):
            job = self.create_job(**kwargs)
            if self.config is None:
                raise JobContractError(
                    f"{type(self).__name__}.create_job() must call self.parse_job_config()"
                )
            params = valid_params(job.execute_job, self.job_params(self.config))
            try:
                with self._spark_progress(job):
                    return job.run(**params)
            finally:
                self._release_remote_session()

    @abstractmethod
    def create_job(self, **kwargs: Any) -> AbstractJob:
        """Parse the config, make the services and return the assembled job."""

    def parse_job_config(self, **kwargs: Any) -> ConfigT:
        """Validate the config passed as ``<job_name>_job`` or ``job_config``.

        The config may be JSON text or a dict. Validation never touches Spark.

        Raises:
            ConfigError: It is missing, malformed or invalid.
        """
        key = f"{self.job_name}_job"
        if key in kwargs:
            raw = kwargs[key]
        elif "job_config" in kwargs:
            raw = kwargs["job_config"]
        else:
            raise ConfigError(self.job_name, [f"no config given: pass --{key} '<json>'"])
        config: ConfigT = parse_config(self.config_model, raw, job=self.job_name)  # type: ignore[assignment]
        self.config = config
        return config

    def output_paths(self, config: ConfigT) -> list[str]:
        """Return the outputs this run writes, to lock for the run (default: none).

        While a run holds them, another run that names any of them fails at once with
        :class:`~dwh.errors.JobAlreadyRunningError` (see :mod:`dwh.runs.locks`).
        """
        return []

    def job_params(self, config: ConfigT) -> dict[str, Any]:
        """Return the parameters for ``execute_job``: by default every config field.

        Override to derive parameters (a run date, say) from the config.
        """
        return {name: getattr(config, name) for name in type(config).model_fields}

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
        )

    def event_publisher(self) -> EventPublisher:
        """Return where this run's events go, in this order.

        1. The events stream (``events``, or ``$DWH_EVENTS``), so watchers see events first.
        2. The run store (``run_store``, or ``$DWH_RUN_STORE``; ``off`` disables it).
        3. Any injected ``event_publisher`` (a notebook's or a test's recorder).
        4. The alert sinks (``$DWH_ALERTS``, ``$DWH_ALERT_WEBHOOK``), on ``job_failed``.

        Every event has the config's secret values hidden first. None of them can fail
        the job: the fan-out warns once about a broken one.

        Raises:
            UsageError: The alert settings are invalid (checked before the job runs).
        """
        from dwh.runs.alerts import AlertPublisher, alert_sinks_from_env

        publishers: list[EventPublisher] = []
        if self.events_target:
            publishers.append(JsonLinesPublisher.open(self.events_target))
        store = RunStorePublisher.from_target(self.run_store_target, module=self.module_name)
        if store is not None:
            publishers.append(store)
        if self._extra_publisher is not None:
            publishers.append(self._extra_publisher)
        sinks = alert_sinks_from_env()
        if sinks:
            publishers.append(AlertPublisher(sinks))
        secrets = secret_values(self._require_config().model_dump(mode="json"))
        return RedactingPublisher(FanOutPublisher(publishers), secrets)

    def job_services(self) -> dict[str, Any]:
        """Return the keyword arguments every job takes: context, publisher and secrets."""
        config = self._require_config()
        return {
            "context": self.run_context(),
            "publisher": self.event_publisher(),
            "secrets": frozenset(secret_values(config.model_dump(mode="json"))),
        }

    def get_spark_session(self) -> SparkSession:
        """Return the active Spark session, or build one; only when ``has_spark`` is true."""
        if not self.has_spark:
            raise UsageError(f"job '{self.job_name}' asked for Spark but --has_spark is false")
        from dwh.services.spark_session import get_spark_session

        self._spark = get_spark_session(app_name=f"dwh-{self.job_name}", remote=self.spark_remote)
        if self.spark_remote and self.module_name:
            from dwh.spark.code_shipping import pickle_job_code_by_value

            pickle_job_code_by_value(self.module_name)
        return self._spark

    def _release_remote_session(self) -> None:
        """End this run's server-side session on a Spark Connect server (a warm run).

        A shared server would otherwise keep the session, its cached tables and its
        Python workers until the session times out (an hour).
        """
        if self._spark is None or not self.spark_remote:
            return
        try:
            self._spark.stop()
        except Exception as exc:  # the run's outcome stands; the server may be gone
            log.debug("could not release the Spark Connect session: %s", exc)

    def _spark_progress(self, job: AbstractJob) -> AbstractContextManager[None]:
        """Publish ``spark_progress`` events while the job runs, if it has a session."""
        if self._spark is None:
            return nullcontext()
        from dwh.spark.progress import track_progress

        return track_progress(
            self._spark, lambda fields: job.publish(EventName.SPARK_PROGRESS, **fields)
        )

    def _require_config(self) -> ConfigT:
        if self.config is None:
            raise JobContractError(
                f"{type(self).__name__}: call self.parse_job_config() before building services"
            )
        return self.config

    def _check_kwargs(self, kwargs: Mapping[str, Any]) -> None:
        accepted = {f"{self.job_name}_job", "job_config", *RUN_OPTIONS}
        for key in kwargs:
            if key not in accepted:
                hint = difflib.get_close_matches(key, sorted(accepted), n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                raise UsageError(
                    f"main() got an unknown argument '{key}'{suggestion} "
                    f"(accepted: {', '.join(sorted(accepted))})"
                )


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

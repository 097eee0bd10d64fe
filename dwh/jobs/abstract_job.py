"""The job contract: a template method that runs the job and its lifecycle hooks.

A concrete job implements three hooks and nothing else::

    class MyJob(AbstractJob):
        def execute_job(self, **params) -> dict[str, Any]: ...  # EXTRACT, TRANSFORM, LOAD
        def on_success(self, results) -> None: ...
        def on_failure(self, error_message) -> None: ...

:meth:`AbstractJob.run` is final. It publishes the lifecycle events around the hooks,
so every job streams the same events whatever its hooks do.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, final

from dwh.checks.results import failed_checks
from dwh.errors import ChecksFailedError
from dwh.events import TERMINAL_EVENTS, EventName
from dwh.redaction import redact_text
from dwh.run_context import RunContext
from dwh.services.publication import Publication, publishing
from dwh.services.publishers import NullPublisher

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from dwh.checks.results import OutputAudit
    from dwh.checks.spec import Check
    from dwh.services.protocols import EventPublisher
    from dwh.services.publication import StagedOutput

    # Audits staged outputs: (staged, outputs recorded, checks by output) -> audits.
    Auditor = Callable[
        [Sequence[StagedOutput], Mapping[str, str], Mapping[str, Sequence[Check]]],
        list[OutputAudit],
    ]

log = logging.getLogger(__name__)

Metrics = dict[str, Any]


@dataclass
class Phase:
    """A running phase; set ``rows`` before it ends to report a row count."""

    name: str
    rows: int | None = None


class AbstractJob(ABC):
    """Base class for every job.

    Args:
        context: The run's identity and lineage. Defaults to a fresh context named
            after the class, which is what unit tests usually want.
        publisher: Where lifecycle events go. Defaults to nowhere.
        secrets: Secret config values to hide in error messages.
    """

    def __init__(
        self,
        *,
        context: RunContext | None = None,
        publisher: EventPublisher | None = None,
        secrets: frozenset[str] = frozenset(),
    ) -> None:
        self.context = context or RunContext(job=type(self).__name__)
        self.publisher: EventPublisher = publisher or NullPublisher()
        self.outputs: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        self.output_schemas: dict[str, list[dict[str, str]]] = {}
        self._secrets = secrets
        self._publisher_failed = False
        # spark_progress comes from another thread; none may follow the final event.
        self._publish_lock = threading.Lock()
        self._ended = False
        self.stop_progress: Callable[[], None] | None = None
        """Set by the factory: stops live Spark progress before the final event."""
        self.spark_ui_url: str | None = None
        """Set by the factory: the run's Spark UI address, recorded in ``job_started``."""
        self.output_checks: dict[str, list[Check]] = {}
        """Set by the factory: each output's checks (declared, then the config's)."""
        self.auditor: Auditor | None = None
        """Set by the factory: computes the checks on the staged outputs (Spark)."""

    @final
    def run(self, **kwargs: Any) -> Any:
        """Run the job: ``execute_job``, then ``on_success``; on error ``on_failure``.

        Publishes ``job_started`` first, then ``job_succeeded`` after ``on_success``
        returns, or ``job_failed`` after ``on_failure`` returns. A failing
        ``on_success`` is a failure of the run. If ``on_failure`` itself raises, the
        original error is still the one raised, with the hook's error attached as a
        note and as ``hook_error``.

        Args:
            **kwargs: The validated parameters for :meth:`execute_job`.

        Returns:
            Whatever ``execute_job`` returned.
        """
        try:
            # Inside the try: a cancel (SIGTERM) that lands while job_started is being
            # published must still end the run with job_failed{cancelled: true}.
            backfill = {"backfill_id": self.context.backfill_id} if self.context.backfill_id else {}
            ui = {"spark_ui_url": self.spark_ui_url} if self.spark_ui_url else {}
            self.publish(
                EventName.JOB_STARTED,
                config=self.context.config,
                config_hash=self.context.config_hash,
                **backfill,
                **ui,
            )
            with publishing() as publication:
                results = self.execute_job(**kwargs)
                self._audit_then_publish(publication)
            self.on_success(results)
        except (Exception, KeyboardInterrupt) as exc:
            # Imported here: the light paths never load the Spark package for it.
            from dwh.services._csv import as_csv_error
            from dwh.spark.connect_errors import as_connect_error

            error = as_connect_error(exc, self.context.job) or as_csv_error(exc) or exc
            message = self.error_message(error)
            try:
                self.on_failure(message)
            except Exception as hook_exc:
                hook_message = self.error_message(hook_exc)
                exc.add_note(f"on_failure hook also failed: {hook_message}")
                exc.hook_error = hook_exc  # type: ignore[union-attr]
            self._stop_progress()
            self.publish(
                EventName.JOB_FAILED,
                error_type=type(error).__name__,
                error_message=message,
                cancelled=isinstance(exc, KeyboardInterrupt),
                **self._datasets_read(),
            )
            if error is not exc:
                raise error from exc
            raise
        self._stop_progress()
        self.publish(
            EventName.JOB_SUCCEEDED,
            metrics=results,
            outputs=dict(self.outputs),
            **self._datasets_read(),
            **({"output_schemas": dict(self.output_schemas)} if self.output_schemas else {}),
        )
        return results

    def _audit_then_publish(self, publication: Publication) -> None:
        """Audit the staged outputs; publish them all, or none when an error check failed.

        Raises:
            ChecksFailedError: An error-severity check failed; nothing was published
                and the staged copies are removed (the caller's ``publishing`` block).
        """
        audits = []
        if self.auditor is not None and publication.staged and self.output_checks:
            audits = self.auditor(publication.staged, dict(self.outputs), self.output_checks)
        for audit in audits:
            self.publish(EventName.CHECKS_FINISHED, **audit.to_payload())
        failed = failed_checks(audits)
        if failed:
            raise ChecksFailedError(
                f"{len(failed)} output check{'s' if len(failed) > 1 else ''} failed, "
                f"nothing was published: {'; '.join(failed)}"
            )
        publication.publish()

    @abstractmethod
    def execute_job(self, *args: Any, **kwargs: Any) -> Any:
        """Do the work: EXTRACT, TRANSFORM, LOAD.

        Args:
            **kwargs: The validated config values this job accepts.

        Returns:
            The run's metrics, JSON-serialisable.
        """

    @abstractmethod
    def on_success(self, results: Any) -> None:
        """React to a successful run (publish, clean up). Raising fails the run."""

    @abstractmethod
    def on_failure(self, error_message: str) -> None:
        """React to a failed run (alert, clean up). The error is re-raised afterwards."""

    @contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        """Time a phase and publish ``phase_finished`` when it ends without error.

        Example::

            with self.phase("extract") as phase:
                frame = self.reader.read(path)
                phase.rows = ...  # when known
        """
        current = Phase(name)
        started = time.perf_counter()
        yield current
        seconds = round(time.perf_counter() - started, 3)
        self.publish(EventName.PHASE_FINISHED, phase=name, rows=current.rows, seconds=seconds)

    def record_output(self, name: str, path: str, frame: Any = None) -> None:
        """Record a path this run wrote; it is reported in ``job_succeeded``.

        Given the ``frame`` written there (a Spark DataFrame), its columns are reported
        too, as ``output_schemas`` (OpenLineage's schema facet).
        """
        self.outputs[name] = path
        columns = frame_columns(frame) if frame is not None else None
        if columns:
            self.output_schemas[name] = columns

    def record_input(self, name: str, path: str) -> None:
        """Record a path this run read; it is reported in ``job_succeeded`` (and ``job_failed``)."""
        self.inputs[name] = path

    def _datasets_read(self) -> dict[str, Any]:
        return {"inputs": dict(self.inputs)} if self.inputs else {}

    def _stop_progress(self) -> None:
        """Let the progress tracker report the stages that just ended, then stop it."""
        if self.stop_progress is not None:
            try:
                self.stop_progress()
            except Exception as exc:  # progress is for watchers; it never fails a run
                log.debug("could not stop Spark progress: %s", exc)

    def publish(self, name: str, **payload: Any) -> None:
        """Publish an event of this run. A failing publisher never fails the job.

        The final event (``job_succeeded`` or ``job_failed``) is the last: a
        ``spark_progress`` event from the progress thread that comes after it is dropped.
        """
        with self._publish_lock:
            if self._ended and name == EventName.SPARK_PROGRESS:
                return
            self._ended = self._ended or name in TERMINAL_EVENTS
            try:
                self.publisher.publish(self.context.event(name, **payload))
            except Exception as exc:
                if not self._publisher_failed:
                    self._publisher_failed = True
                    log.warning("could not publish %s: %s", name, exc)

    def error_message(self, exc: BaseException) -> str:
        """Return ``"ErrorType: message"`` with secret config values hidden."""
        text = str(exc).strip().splitlines()
        first = text[0] if text else ""
        message = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        return redact_text(message, self._secrets)


def frame_columns(frame: Any) -> list[dict[str, str]] | None:
    """Return a DataFrame's top-level columns as ``{"name", "type"}``, or None if unknown.

    Duck-typed on ``frame.schema.fields``, so rows held in plain Python give None.
    """
    try:
        fields = frame.schema.fields
        return [{"name": f.name, "type": f.dataType.simpleString()} for f in fields]
    except Exception:
        return None  # not a DataFrame, or the schema cannot be had: lineage goes without

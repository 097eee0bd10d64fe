"""Run a job from a notebook: validate first, then call the factory module's ``main``.

:func:`prepare_run` checks the module and validates the config through the job's own
factory and model, with the command line's errors and no Spark. :meth:`PreparedRun.execute`
calls ``main(**kwargs)`` with a recording event publisher injected, and keeps the job's
error for :meth:`NotebookRun.raise_for_failure`, so the notebook shows the events first.

A Spark job runs in the kernel's own Spark session, or on a Spark Connect server
(``spark_remote=``, or ``warm=True`` for the local warm server, :mod:`dwh.spark`), the
same ``main(..., spark_remote=url)`` as ``dwh run --warm``. A kernel may do both, in
any order: the Connect mode pyspark switches on for a warm run is switched off again
after it, so the kernel's classic session and its functions keep working.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.checks.results import audits_from_events
from dwh.config import load_json_object
from dwh.entry import load_job_main
from dwh.errors import ConfigError, UsageError, one_line
from dwh.events import EventName, RunStatus, parse_time
from dwh.notebook._kernel import quiet_shutdown
from dwh.redaction import redact
from dwh.registry import find_job, load_factory
from dwh.run_context import new_run_id
from dwh.services.publishers import RecordingEventPublisher
from dwh.settings import environ_scope, job_packages

if TYPE_CHECKING:
    from dwh.events import Event

RESULT_VERSION = 1
"""Version of the JSON written by :func:`write_result`; bumped on incompatible changes."""


@dataclass(frozen=True)
class SparkInfo:
    """The Spark application a run used.

    Attributes:
        application_id: The SparkContext's application id; None on a Spark Connect
            server (a warm run), whose session is the server's.
        reused: True when the session (or the server) was already running before the
            run started.
        remote: The Spark Connect URL the run used, or None for the kernel's session.
    """

    application_id: str | None
    reused: bool
    remote: str | None = None


@dataclass(frozen=True)
class PreparedRun:
    """A job run whose module and config have been checked; nothing has run yet.

    Attributes:
        module_name: The factory module, e.g. ``dwh.jobs.noop.noop_job_factory``.
        job: The job name.
        config: The decoded config, as given (secrets included; never displayed).
        has_spark: Whether the job runs with Spark.
        run_id: The run id to use, or None for a fresh one on each :meth:`execute`.
        packages: The packages job modules may come from.
        spark_remote: The Spark Connect URL to run on, or None for this kernel's
            session; always None for a job without Spark.
        server_started: True when ``warm=True`` had to start the warm server.
    """

    module_name: str
    job: str
    config: dict[str, Any]
    has_spark: bool
    run_id: str | None
    packages: tuple[str, ...]
    spark_remote: str | None = None
    server_started: bool = False

    @property
    def where(self) -> str:
        """Where the job runs, in words: the warm server, this kernel's session, or no Spark."""
        if not self.has_spark:
            return "without Spark"
        if self.spark_remote:
            return f"on the warm Spark server at {self.spark_remote}"
        return "in this kernel's Spark session"

    def __repr__(self) -> str:
        config = json.dumps(redact(self.config), sort_keys=True, default=str)
        run_id = self.run_id or "<new on each run>"
        return (
            f"PreparedRun(job={self.job!r}, module_name={self.module_name!r}, "
            f"has_spark={self.has_spark}, spark_remote={self.spark_remote!r}, "
            f"run_id={run_id!r}, config={config})"
        )

    def execute(self, listener: Callable[[Event], None] | None = None) -> NotebookRun:
        """Call the factory module's ``main(**kwargs)`` and record what happened.

        A job failure does not raise here, so the notebook can show the events
        first; call :meth:`NotebookRun.raise_for_failure` afterwards. Interrupting
        the kernel (``KeyboardInterrupt``) is not caught.

        Args:
            listener: Called with each event as it is published (the form's live view).

        Returns:
            The run: its results or error, and every event it published.
        """
        main = load_job_main(self.module_name, self.packages)
        quiet_shutdown()
        recorder = _ListeningRecorder(listener=listener)
        run_id = self.run_id or new_run_id()
        kernel_session = self.has_spark and not self.spark_remote
        app_before = _spark_application_id() if kernel_session else None
        kwargs: dict[str, Any] = {
            "module_name": self.module_name,
            "job_config": self.config,
            "has_spark": self.has_spark,
            "run_id": run_id,
            "event_publisher": recorder,
        }
        if self.spark_remote:
            kwargs["spark_remote"] = self.spark_remote
        started = time.perf_counter()
        results: Any = None
        error: Exception | None = None
        try:
            with _connect_mode_scope():
                results = main(**kwargs)
        except Exception as exc:
            error = exc
        seconds = time.perf_counter() - started
        spark: SparkInfo | None = None
        if self.spark_remote:
            spark = SparkInfo(None, reused=not self.server_started, remote=self.spark_remote)
        elif kernel_session:
            app_after = _spark_application_id()
            if app_after is not None:
                spark = SparkInfo(app_after, reused=app_after == app_before)
        return NotebookRun(
            job=self.job,
            module_name=self.module_name,
            run_id=run_id,
            config=redact(self.config),
            results=results,
            events=list(recorder.events),
            error=error,
            seconds=seconds,
            spark=spark,
        )


@dataclass
class NotebookRun:
    """One finished run of a job from a notebook.

    Attributes:
        job: The job name.
        module_name: The factory module.
        run_id: The run id.
        config: The config with secrets redacted.
        results: What ``main`` returned (the job's metrics); None when it failed.
        events: The lifecycle events the run published, in order.
        error: The exception the job raised, or None.
        seconds: Wall time of the ``main`` call (:attr:`job_seconds` is the job's own).
        spark: The Spark application used, for runs with Spark.
    """

    job: str
    module_name: str
    run_id: str
    config: dict[str, Any]
    results: Any
    events: list[Event] = field(default_factory=list)
    error: Exception | None = None
    seconds: float = 0.0
    spark: SparkInfo | None = None

    @property
    def succeeded(self) -> bool:
        """True when ``main`` returned without raising."""
        return self.error is None

    @property
    def metrics(self) -> dict[str, Any]:
        """The results as a dict (a non-dict result is shown under ``result``)."""
        if self.results is None:
            return {}
        if isinstance(self.results, Mapping):
            return dict(self.results)
        return {"result": self.results}

    @property
    def outputs(self) -> dict[str, str]:
        """The paths the run wrote, from its ``job_succeeded`` event."""
        for event in self.events:
            if event.event == EventName.JOB_SUCCEEDED:
                return dict(event.payload.get("outputs") or {})
        return {}

    @property
    def checks(self) -> list[dict[str, Any]]:
        """Each audited output's checks (its ``checks_finished`` payload), in order."""
        return audits_from_events(self.events)

    @property
    def job_seconds(self) -> float | None:
        """The job's own time, as ``dwh runs`` shows it: ``job_started`` to its last event.

        None when the run never started (a refused config). :attr:`seconds` is longer:
        it also counts importing the job and starting (or reaching) Spark.
        """
        started = next((e for e in self.events if e.event == EventName.JOB_STARTED), None)
        final = (EventName.JOB_SUCCEEDED, EventName.JOB_FAILED)
        ended = next((e for e in reversed(self.events) if e.event in final), None)
        if started is None or ended is None:
            return None
        return (parse_time(ended.at) - parse_time(started.at)).total_seconds()

    @property
    def timing(self) -> str:
        """The two durations, labelled as the command line labels them.

        ``15.5s job time, 28.0s call wall``: the job time is what ``dwh runs`` shows;
        the call wall is the whole ``main()`` call (the entry says "process wall").
        """
        wall = f"{self.seconds:.1f}s call wall"
        job = self.job_seconds
        return wall if job is None else f"{job:.1f}s job time, {wall}"

    def summary(self) -> str:
        """One line in the command line's words: succeeded or failed, times, run id."""
        if self.error is None:
            body = json.dumps(self.results, default=str, sort_keys=True)
            return f"job '{self.job}' succeeded in {self.timing} (run {self.run_id}): {body}"
        return (
            f"job '{self.job}' failed in {self.timing} (run {self.run_id}): {one_line(self.error)}"
        )

    def raise_for_failure(self) -> None:
        """Raise the job's own exception, unchanged, when the run failed."""
        if self.error is not None:
            raise self.error

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form written by :func:`write_result`."""
        data: dict[str, Any] = {
            "result_version": RESULT_VERSION,
            "job": self.job,
            "module_name": self.module_name,
            "run_id": self.run_id,
            "status": RunStatus.SUCCEEDED if self.succeeded else RunStatus.FAILED,
            "seconds": round(self.seconds, 3),
            "job_seconds": None if self.job_seconds is None else round(self.job_seconds, 3),
            "config": self.config,
            "results": self.results,
            "outputs": self.outputs,
            "checks": self.checks,
            "events": [event.to_dict() for event in self.events],
        }
        if self.error is not None:
            data["error"] = one_line(self.error)
        if self.spark is not None:
            data["spark"] = {
                "application_id": self.spark.application_id,
                "reused": self.spark.reused,
            }
            if self.spark.remote is not None:  # a warm run: the server it ran on
                data["spark"]["remote"] = self.spark.remote
        return data


def prepare_run(
    module_name: str,
    job_config: str | bytes | Mapping[str, Any] | None,
    *,
    has_spark: bool | str | None = None,
    run_id: str | int | None = None,
    packages: Sequence[str] | None = None,
    spark_remote: str | None = None,
    warm: bool | None = False,
) -> PreparedRun:
    """Check the module and validate the config through the job's own model.

    No Spark session starts (``warm=True`` may start the warm server, for a Spark job
    with a valid config). The errors are the command line's.

    Args:
        module_name: The factory module to run.
        job_config: The config: a dict, or JSON text.
        has_spark: ``True``/``False`` or ``"true"``/``"false"``; None means what
            the job needs.
        run_id: A run id; None makes a fresh one for each run.
        packages: The packages job modules may come from; default ``$DWH_JOB_PACKAGES``.
        spark_remote: Run on this Spark Connect server (``sc://host:port``, e.g. the
            url of ``dwh spark status --json``) instead of this kernel's session.
        warm: True: run on the local warm server (``dwh spark start``), starting it if
            none runs. None: on the warm server when one runs, else in this kernel's
            session (what the form and the job notebooks do). False: in this kernel.
            Ignored, like ``spark_remote``, for a job without Spark.

    Returns:
        The checked run, ready to :meth:`~PreparedRun.execute`.

    Raises:
        ModuleRefusedError: The module is outside the allowed packages.
        JobModuleError: The module is missing or fails to import.
        UsageError: ``has_spark`` is not a boolean, or is false for a Spark job; or
            both ``spark_remote`` and ``warm`` are given.
        ConfigError: The config is missing, malformed or invalid.
        SparkServerError: ``warm=True`` and the warm server could not be started.
    """
    if spark_remote and warm:
        raise UsageError(
            f"pass spark_remote or warm, not both (got spark_remote={spark_remote!r}, warm=True)"
        )
    allowed = tuple(packages) if packages else job_packages()
    name = str(module_name).strip()
    load_job_main(name, allowed)
    factory_class = load_factory(find_job(name, allowed))
    job = factory_class.job_name
    if job_config is None:
        raise ConfigError(job, ["no config given: set the job_config parameter"])
    config = load_json_object(job_config, job=job)
    kwargs: dict[str, Any] = {"module_name": name, "job_config": config}
    if has_spark is not None:
        kwargs["has_spark"] = has_spark  # checked by the factory's RunOptions
    factory = factory_class(**kwargs)
    factory.parse_job_config(**kwargs)
    remote = (spark_remote or None) if factory.has_spark else None
    started = False
    if warm and factory.has_spark:
        from dwh.spark.server import ensure_server

        status = ensure_server()
        remote, started = status.url, status.started
    elif warm is None and factory.has_spark and not remote:
        remote = running_server_url()
    return PreparedRun(
        module_name=name,
        job=job,
        config=config,
        has_spark=factory.has_spark,
        run_id=str(run_id) if run_id not in (None, "") else None,
        packages=allowed,
        spark_remote=remote,
        server_started=started,
    )


def running_server_url() -> str | None:
    """The local warm server's URL when one runs (``dwh spark start``), else None.

    Read from its discovery file and the process table: no pyspark, no JVM.
    """
    from dwh.spark.status import server_status

    status = server_status()
    return status.url if status.running else None


def run_job(
    module_name: str,
    job_config: str | bytes | Mapping[str, Any] | None,
    *,
    has_spark: bool | str | None = None,
    run_id: str | int | None = None,
    spark_remote: str | None = None,
    warm: bool | None = False,
) -> NotebookRun:
    """Validate, then run a job; see :func:`prepare_run` and :meth:`PreparedRun.execute`.

    ``warm=True`` runs it on the local warm Spark server (started if none runs);
    ``warm=None`` on that server when one runs, else in this kernel;
    ``spark_remote="sc://host:port"`` on that Connect server; neither, in this kernel.
    """
    prepared = prepare_run(
        module_name,
        job_config,
        has_spark=has_spark,
        run_id=run_id,
        spark_remote=spark_remote,
        warm=warm,
    )
    return prepared.execute()


def write_result(run: NotebookRun, path: str | os.PathLike[str]) -> Path:
    """Write the run as JSON to ``path``, atomically; only a successful run is written.

    A reader never sees a half-written file: the JSON goes to a temporary file in the
    same folder, which is then renamed over ``path``.

    Raises:
        ValueError: The run failed; nothing is written.
    """
    if not run.succeeded:
        raise ValueError(f"run {run.run_id} failed; no result is written")
    from dwh.services.atomic_commit import replace_file

    text = json.dumps(run.to_dict(), indent=2, default=str, sort_keys=True) + "\n"
    return replace_file(Path(path), text)


@dataclass
class _ListeningRecorder(RecordingEventPublisher):
    """Records every event and hands each to ``listener`` as it comes."""

    listener: Callable[[Event], None] | None = None

    def publish(self, event: Event) -> None:
        """Record ``event``, then pass it on."""
        super().publish(event)
        if self.listener is not None:
            self.listener(event)


_CONNECT_ENV = ("SPARK_CONNECT_MODE_ENABLED", "SPARK_CONNECT_AUTHENTICATE_TOKEN", "SPARK_REMOTE")


@contextlib.contextmanager
def _connect_mode_scope() -> Iterator[None]:
    """Put back, after a run, the variables a Spark Connect session sets in the process.

    pyspark switches a whole process to Connect (``SPARK_CONNECT_MODE_ENABLED``: its
    functions then build Connect plans), and the warm server's token is put in the
    environment. Kept, they would break the kernel's next cold run, and a restarted
    server's new token would be shadowed by the old one.
    """
    with environ_scope(restore=_CONNECT_ENV):
        yield


def _spark_application_id() -> str | None:
    """The running SparkContext's application id, or None (none yet, or Spark Connect)."""
    from pyspark import SparkContext

    context = SparkContext._active_spark_context
    return str(context.applicationId) if context is not None else None

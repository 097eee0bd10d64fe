"""The Spark session of one run, from its first use to its release.

A job factory makes one :class:`RunSession` per run and enters it around the run::

    with RunSession(app_name="dwh-filter_images", remote=url, catalog=False,
                    module_name="dwh.jobs.filter_images.filter_images_job_factory") as scope:
        spark = scope.get()          # only when the job asks for Spark
        ...
    # released here: the run's server-side session ends, a spare is prepared

What happens on each side of the run, so that the factory only wires:

- :meth:`RunSession.get` on a warm server claims a spare session whose Python workers
  are up (:mod:`dwh.spark.prewarm`), falls back to a new session when the server has
  dropped it, and has the job's own code shipped by value (:mod:`dwh.spark.code_shipping`).
  Without a remote it returns the process's session or builds a local one.
- Leaving the block ends a warm run's server-side session (its cached tables go with
  it) and then its Python worker daemon, which pyspark 4.3's server would otherwise keep
  until it stops (:mod:`dwh.spark.workers`), unless the remote names the session (a
  backfill's shared one: its owner ends it), then starts preparing the next spare.

pyspark is imported only when :meth:`RunSession.get` is called, never at import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import TYPE_CHECKING, Any

from dwh.spark.remote import remote_session_id

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from dwh.checks.results import OutputAudit
    from dwh.checks.spec import Check
    from dwh.services.publication import StagedOutput

__all__ = ["RunSession", "audit_published", "audit_staged", "track_run_progress", "ui_url"]

log = logging.getLogger(__name__)


class RunSession:
    """One run's Spark session: got on first use, released when the run ends.

    Args:
        app_name: The application name of a new session.
        remote: The Spark Connect remote of a warm run (``sc://...``), or None for the
            process's own (or a new local) session.
        catalog: A new local session gets the embedded table catalog under ``$DWH_HOME``.
        module_name: The job's factory module, whose package ships by value on a remote.
    """

    def __init__(
        self,
        *,
        app_name: str,
        remote: str | None,
        catalog: bool = False,
        module_name: str | None = None,
    ) -> None:
        self.app_name = app_name
        self.remote = remote
        self.catalog = catalog
        self.module_name = module_name
        self.session: SparkSession | None = None

    def __enter__(self) -> RunSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def get(self) -> SparkSession:
        """Return the run's session, getting it the first time (see the module's steps)."""
        if self.session is None:
            self.session = self._open()
            if self.remote and self.module_name:
                from dwh.spark.code_shipping import pickle_job_code_by_value

                pickle_job_code_by_value(self.module_name)
        return self.session

    def release(self) -> None:
        """End a warm run's server-side session and its Python workers; never raises.

        Then the next spare is prepared, or the server is recycled when it has grown
        past its memory ceiling and nothing else uses it (:mod:`dwh.spark.recycle`).
        A session the remote names (``/;session_id=ID``) is left open, only this
        process's channel to it closed: its owner ends it. Without a remote, the
        process's session stays (a notebook's, a test's).
        """
        session, self.session = self.session, None
        if session is None or not self.remote:
            return
        from dwh.spark.session import detach, end_session

        if remote_session_id(self.remote):
            detach(session)
            return
        from dwh.spark.workers import end_released_workers, server_side_id

        artifact = server_side_id(session)  # known only while the client is open
        try:
            end_session(session)
        except Exception as exc:  # the run's outcome stands; the server may be gone
            log.debug("could not release the Spark Connect session: %s", exc)
        else:
            end_released_workers(self.remote, artifact)
        from dwh.spark.prewarm import start_prewarm
        from dwh.spark.recycle import recycle_if_due

        try:
            if not recycle_if_due(self.remote):
                start_prewarm(self.remote)  # the next warm run's session
        except OSError as exc:
            log.debug("could not prepare a spare Spark Connect session: %s", exc)

    def _open(self) -> SparkSession:
        from dwh.spark.conf import SHARED_SESSION
        from dwh.spark.session import get_spark_session

        remote = self.remote
        shared = remote_session_id(remote) is not None  # named by the caller: runs after runs
        spare = None
        if remote and not shared:
            from dwh.spark.prewarm import claim

            spare = claim(remote)
        try:
            return get_spark_session(
                app_name=self.app_name,
                remote=spare or remote,
                catalog=self.catalog,
                conf=SHARED_SESSION if shared else None,
                fresh=spare is not None,
            )
        except Exception as exc:
            if spare is None:
                raise
            # The spare's session is gone on the server: a new one, as without spares.
            log.debug("spare Spark Connect session unusable, opening a new one: %s", exc)
            return get_spark_session(
                app_name=self.app_name, remote=remote, catalog=self.catalog, fresh=True
            )


def ui_url(session: Any) -> str | None:
    """Return the Spark UI address of ``session``, or None; never raises.

    Only a classic session with its UI on has one (``spark-submit`` on a cluster, or
    ``spark.ui.enabled`` set); local dev sessions turn the UI off, and a Spark Connect
    client has no ``sparkContext``.
    """
    if session is None or type(session).__module__.startswith("pyspark.sql.connect"):
        return None
    try:
        url = session.sparkContext.uiWebUrl
    except Exception as exc:  # a session that went away: the run's outcome stands
        log.debug("no Spark UI address: %s", exc)
        return None
    return str(url) if url else None


def track_run_progress(
    session: Any, publish: Callable[[dict[str, Any]], None]
) -> AbstractContextManager[Callable[[], None] | None]:
    """Publish ``spark_progress`` through ``publish`` while the run's stages run.

    The context yields the tracker's ``stop`` (None without a session), which the job
    calls before its final event, so every stage's last progress comes before it.
    """
    if session is None:
        return nullcontext()
    from dwh.spark.progress import track_progress

    return track_progress(session, publish)


def audit_staged(
    staged: Sequence[StagedOutput],
    outputs: Mapping[str, str],
    checks: Mapping[str, Sequence[Check]],
) -> list[OutputAudit]:
    """Compute the run's output checks on its staged outputs (:mod:`dwh.spark.audit`).

    The factory hands this to the job; pyspark is imported only when it is called,
    which is only when a Spark loader staged an output that has checks.
    """
    from dwh.spark.audit import audit_staged as audit

    return audit(staged, outputs, checks)


def audit_published(
    session: Any, targets: Mapping[str, str], checks: Mapping[str, Sequence[Check]]
) -> list[OutputAudit]:
    """Compute each output's checks on what is published at its path (``dwh audit``).

    Reads only; nothing is written. Each path is read as :func:`dwh.spark.audit.read_dataset`
    reads it (CSV or JSON lines by its name, else Parquet).
    """
    from dwh.spark.audit import audit_frame, read_dataset

    return [
        audit_frame(
            read_dataset(session, path),
            list(checks[name]),
            output=name,
            path=path,
            read_other=lambda other: read_dataset(session, other),
        )
        for name, path in targets.items()
    ]

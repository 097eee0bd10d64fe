"""The run history: one row per run and every event, in an embedded SQLite database.

Every run started through a job factory is recorded here by default, at
``$DWH_HOME/runs.db`` (the project's ``.dwh/runs.db``, or ``~/.dwh/runs.db`` outside a
project; off when that folder cannot be written, as for a cluster user without a
home). ``DWH_RUN_STORE`` points it elsewhere, or turns it off with ``off``.
The database runs in WAL mode, so several job processes can write while a TUI reads.
Each event is written in its own short transaction: the run's row is created or updated
from the event, and the event is appended.

::

    store = RunStore(".dwh/runs.db")
    for run in store.runs(job="filter_images", status="failed", limit=20):
        print(run.run_id, run.error, run.duration_seconds)
    store.children(run.run_id)  # the runs this run triggered

A run whose process dies without a final event (SIGKILL, a lost machine, an OOM kill)
cannot say so itself. Each row keeps the pid and host of the process that records it;
reading the store turns a ``running`` row whose process is gone from this host into
``lost``, with the time of its last event as ``ended_at``. Runs of other hosts stay
``running``: this host cannot see their processes.

Configs are stored with secret keys redacted (a second pass over what the job already
redacted), and URL passwords are hidden in every stored string. Writing to the store
never fails a job: :class:`~dwh.runs.publisher.RunStorePublisher` warns once and
goes on.

The SQLite side (WAL, waiting for locks, the schema and its upgrades, no use across
``fork()``) is :mod:`dwh.runs._db`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from dwh.errors import RunStoreError, UsageError
from dwh.events import Event, EventName, RunStatus, parse_time, utc_now_iso
from dwh.processes import pid_alive, this_host
from dwh.redaction import redact, scrub
from dwh.runs._db import RunStoreDb
from dwh.services.atomic_commit import local_path
from dwh.settings import RUN_STORE_ENV as STORE_ENV
from dwh.settings import dwh_home, home_setting, home_writable, is_off, run_store_setting

# A rejected run never started, so the store never holds one. Plain strings: click.Choice
# matches enum members by name, and users type the value.
STATUSES: tuple[str, ...] = tuple(s.value for s in RunStatus if s is not RunStatus.REJECTED)
_RUN_COLUMNS = (
    "run_id, job, module, status, config, config_hash, started_at, ended_at, metrics, "
    "outputs, error, triggered_by_job, triggered_by_run_id, backfill_id"
)
_ORDER_NEWEST = "ORDER BY started_at DESC, rowid DESC"


@dataclass(frozen=True)
class RunRecord:
    """One run as the store knows it.

    Attributes:
        run_id: The run's id.
        job: The job name.
        module: The factory module, when known.
        status: ``running``, ``succeeded``, ``failed``, ``cancelled``, or ``lost`` when
            its process died on this host without a final event.
        config: The config, secrets redacted.
        config_hash: The hash of the redacted config.
        started_at: UTC ISO-8601, from ``job_started`` (or, until it is recorded, the
            time of the first event the store saw).
        ended_at: UTC ISO-8601, from the final event.
        metrics: What the job returned, once it succeeded.
        outputs: The paths the job wrote, once it succeeded.
        error: ``"ErrorType: message"`` once it failed.
        triggered_by_job: The upstream job, when this run was triggered.
        triggered_by_run_id: The upstream run, when this run was triggered.
        backfill_id: The backfill this run was one date of, from ``job_started``.
    """

    run_id: str
    job: str
    module: str | None
    status: RunStatus
    config: dict[str, Any]
    config_hash: str | None
    started_at: str | None
    ended_at: str | None
    metrics: dict[str, Any] | None
    outputs: dict[str, str] | None
    error: str | None
    triggered_by_job: str | None
    triggered_by_run_id: str | None
    backfill_id: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from start to end, or None while running or when a time is unknown."""
        if not self.started_at or not self.ended_at:
            return None
        return (parse_time(self.ended_at) - parse_time(self.started_at)).total_seconds()

    @property
    def finished(self) -> bool:
        """Whether the run has reached a final status."""
        return self.status != RunStatus.RUNNING

    @property
    def ended_unreported(self) -> bool:
        """Whether its own process never recorded an end (``running`` or ``lost``).

        The process that started such a run may know more (its exit signal) and
        records it with :meth:`RunStore.set_status`.
        """
        return self.status in (RunStatus.RUNNING, RunStatus.LOST)


@dataclass(frozen=True)
class ExistingStore:
    """The store :meth:`RunStore.open_existing` found, or why there is none.

    Attributes:
        store: The opened store; None when recording is off or nothing is recorded yet.
        path: The store's file; None when recording is off.
        off: True when ``$DWH_RUN_STORE`` is ``off``.
    """

    store: RunStore | None
    path: Path | None
    off: bool = False


@dataclass(frozen=True)
class OutputVersion:
    """One version of an output, as the run that wrote it recorded it.

    Attributes:
        run_id: The run that wrote the version.
        output: The name the run gave the output (``output_path``).
        committed_at: When the run succeeded, UTC ISO-8601.
    """

    run_id: str
    output: str
    committed_at: str


def version_key(path: str) -> str:
    """The form an output path is stored under: absolute for a local path, else as given.

    The job records paths as its config names them, relative to its working folder;
    ``dwh diff`` may run from another one.
    """
    local = local_path(path)
    return path if local is None else os.path.abspath(local)


class RunStore:
    """The SQLite run history.

    Safe to share between threads of one process, and between processes: SQLite's
    WAL mode lets readers go on while one writer writes, and writers wait for each
    other (up to :data:`dwh.runs._db.LOCK_TIMEOUT_SECONDS`).

    Args:
        path: The database file. Its folder is created when missing.
        create: When false, a missing file is an error instead of a new store (for
            readers such as the TUI, which should not create stores).

    Raises:
        RunStoreError: The file cannot be created or opened, is not a SQLite
            database, or was written by a newer dwh.
    """

    ENV: ClassVar[str] = STORE_ENV

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self._db = RunStoreDb(self.path, create=create)

    @classmethod
    def from_env(cls) -> RunStore | None:
        """Open the store the environment names, or return None when it is turned off.

        ``$DWH_RUN_STORE`` is a path, or ``off`` to disable recording; by default the
        store is ``$DWH_HOME/runs.db`` (:func:`dwh.settings.dwh_home`), and off when
        that home cannot be written.

        Raises:
            RunStoreError: The store cannot be opened.
        """
        path = store_path_from_env()
        return None if path is None else cls(path)

    @classmethod
    def open_existing(cls, environ: Mapping[str, str] | None = None) -> ExistingStore:
        """Open the store the environment names for reading; never create one.

        The readers (``dwh runs``, ``dwh lineage``, ``dwh preview RUN_ID``, the TUI's
        history) each say in their own words why there is no store.

        Returns:
            The store, or why there is none: recording is off, or nothing was recorded
            there yet.

        Raises:
            RunStoreError: The file exists but cannot be opened or read.
        """
        path = store_path_from_env(environ)
        if path is None:
            return ExistingStore(None, path=None, off=True)
        if not path.is_file():
            return ExistingStore(None, path=path)
        return ExistingStore(cls(path, create=False), path=path)

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def record(self, event: Event, *, module: str | None = None) -> None:
        """Create or update the run's row from ``event`` and append the event.

        A ``job_failed`` event with ``cancelled: true`` gives the status ``cancelled``.
        A final status is never turned back into ``running``.

        Raises:
            RunStoreError: The write failed.
        """
        if event.event == EventName.SPARK_PROGRESS:
            self._record_stage_end(event)
            return
        payload = scrub(event.payload)
        if "config" in payload:
            payload["config"] = redact(payload["config"])
        data = {**event.to_dict(), **payload}
        now = utc_now_iso()
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO runs (run_id, job, module, status, triggered_by_job, "
                "triggered_by_run_id, started_at, updated_at, pid, host) "
                f"VALUES (?, ?, ?, '{RunStatus.RUNNING}', ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_id) DO UPDATE SET module = COALESCE(excluded.module, module), "
                "triggered_by_job = COALESCE(excluded.triggered_by_job, triggered_by_job), "
                "triggered_by_run_id = COALESCE(excluded.triggered_by_run_id, "
                "triggered_by_run_id), updated_at = excluded.updated_at",
                (
                    event.run_id,
                    event.job,
                    module,
                    event.triggered_by_job,
                    event.triggered_by_run_id,
                    event.at,
                    now,
                    os.getpid(),
                    this_host(),
                ),
            )
            if event.event == EventName.JOB_STARTED:
                conn.execute(
                    "UPDATE runs SET config = ?, config_hash = ?, started_at = ?, "
                    "backfill_id = ? WHERE run_id = ?",
                    (
                        _dumps(payload.get("config") or {}),
                        payload.get("config_hash"),
                        event.at,
                        payload.get("backfill_id"),
                        event.run_id,
                    ),
                )
            elif event.event == EventName.JOB_SUCCEEDED:
                for name, path in (payload.get("outputs") or {}).items():
                    conn.execute(
                        "INSERT OR REPLACE INTO output_versions (path, run_id, output, "
                        "committed_at) VALUES (?, ?, ?, ?)",
                        (version_key(str(path)), event.run_id, name, event.at),
                    )
                conn.execute(
                    f"UPDATE runs SET status = '{RunStatus.SUCCEEDED}', ended_at = ?, metrics = ?, "
                    "outputs = ? WHERE run_id = ?",
                    (
                        event.at,
                        _dumps(payload.get("metrics")),
                        _dumps(payload.get("outputs") or {}),
                        event.run_id,
                    ),
                )
            elif event.event == EventName.JOB_FAILED:
                status = RunStatus.CANCELLED if payload.get("cancelled") else RunStatus.FAILED
                error = payload.get("error_message") or payload.get("error_type")
                conn.execute(
                    "UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE run_id = ?",
                    (status, event.at, error, event.run_id),
                )
            conn.execute(
                "INSERT INTO events (run_id, event, at, body) VALUES (?, ?, ?, ?)",
                (event.run_id, event.event, event.at, _dumps(data)),
            )

    def _record_stage_end(self, event: Event) -> None:
        """Keep a stage's last ``spark_progress`` event, once the stage is done.

        Live progress is for watchers; the history keeps one event per finished stage
        (for the run drill-down), never the ticks.
        """
        payload = event.payload
        total = payload.get("tasks_total")
        if not isinstance(total, int) or payload.get("tasks_done") != total:
            return
        with self._db.write() as conn:
            conn.execute(
                "DELETE FROM events WHERE run_id = ? AND event = ? "
                "AND json_extract(body, '$.stage_id') = ?",
                (event.run_id, EventName.SPARK_PROGRESS.value, payload.get("stage_id")),
            )
            conn.execute(
                "INSERT INTO events (run_id, event, at, body) VALUES (?, ?, ?, ?)",
                (event.run_id, event.event, event.at, _dumps(event.to_dict())),
            )

    def runs(
        self,
        *,
        job: str | None = None,
        status: str | None = None,
        limit: int = 200,
        backfill_id: str | None = None,
        config_hash: str | None = None,
    ) -> list[RunRecord]:
        """Return runs, newest first, optionally only one job's, status, backfill or config.

        Raises:
            UsageError: ``status`` is not a known status or ``limit`` is not positive.
        """
        if status is not None:
            _check_status(status)
        if limit < 1:
            raise UsageError(f"limit must be at least 1, got {limit}")
        where, params = [], []
        if job is not None:
            where.append("job = ?")
            params.append(job)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        for column, value in (("backfill_id", backfill_id), ("config_hash", config_hash)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        self._mark_lost()
        rows = self._db.read(
            f"SELECT {_RUN_COLUMNS} FROM runs {clause}{_ORDER_NEWEST} LIMIT ?",
            (*params, limit),
        )
        return [_record(row) for row in rows]

    def get(self, run_id: str) -> RunRecord | None:
        """Return one run, or None if the store has no such run."""
        self._mark_lost()
        return self._get(run_id)

    def events(self, run_id: str) -> list[Event]:
        """Return a run's events in the order they were recorded."""
        rows = self._db.read("SELECT body FROM events WHERE run_id = ? ORDER BY seq", (run_id,))
        return [Event.from_json(row[0]) for row in rows]

    def children(self, run_id: str) -> list[RunRecord]:
        """Return the runs that ``run_id`` triggered, oldest first."""
        self._mark_lost()
        rows = self._db.read(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE triggered_by_run_id = ? "
            "ORDER BY started_at, rowid",
            (run_id,),
        )
        return [_record(row) for row in rows]

    def lineage(self, run_id: str) -> list[RunRecord]:
        """Return the chain of runs that led to ``run_id``, the first upstream run first.

        The run itself is last. Runs missing from the store end the chain.
        """
        self._mark_lost()
        chain: list[RunRecord] = []
        seen: set[str] = set()
        current: str | None = run_id
        while current and current not in seen:
            seen.add(current)
            record = self._get(current)
            if record is None:
                break
            chain.append(record)
            current = record.triggered_by_run_id
        return chain[::-1]

    def set_status(self, run_id: str, status: str, error: str | None = None) -> None:
        """Set a run's status by hand (a cancelled or crashed process, say).

        A final status also sets ``ended_at`` if the run has none.

        Raises:
            UsageError: Unknown status, or no such run in the store.
        """
        _check_status(status)
        now = utc_now_iso()
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = ?, error = COALESCE(?, error), updated_at = ?, "
                f"ended_at = CASE WHEN ? = '{RunStatus.RUNNING}' THEN ended_at "
                "ELSE COALESCE(ended_at, ?) END WHERE run_id = ?",
                (status, error, now, status, now, run_id),
            )
            if cursor.rowcount == 0:
                raise UsageError(f"no run '{run_id}' in the run store {self.path}")

    def settle_unreported(
        self,
        run_id: str,
        status: str,
        *,
        error: str | None,
        streamed: Sequence[Event],
        module: str | None = None,
    ) -> None:
        """Record how a run ended when its own process could not (it died, say).

        The process that started it (the TUI, the trigger runner) knows its exit code
        and the events it streamed. Each event reaches that stream a moment before
        this store, so a process killed in between may have streamed ``job_started``
        without recording it: the streamed events are recorded first, and the run is
        never missing from the history. Then a run still ``running`` or ``lost`` gets
        ``status`` and ``error``; one that recorded its own end keeps it.

        Raises:
            UsageError: ``status`` is not a known status.
            RunStoreError: The store could not be written.
        """
        if self._get(run_id) is None and any(e.event == EventName.JOB_STARTED for e in streamed):
            for event in streamed:
                self.record(event, module=module)
        record = self.get(run_id)
        if record is not None and record.ended_unreported:
            self.set_status(run_id, status, error=error)

    def published_output(self, job: str, output: str) -> str | None:
        """Return where ``job``'s newest successful run that recorded ``output`` wrote it."""
        for record in self.runs(job=job, status=RunStatus.SUCCEEDED, limit=50):
            path = (record.outputs or {}).get(output)
            if path:
                return path
        return None

    def output_versions(self, path: str) -> list[OutputVersion]:
        """Return the runs that wrote ``path``, the newest version first.

        The first is the run whose output is there now (when the store saw every
        write), the second the one whose version the last commit replaced, and so on:
        the order of :func:`dwh.services.atomic_commit.previous_versions`.
        """
        rows = self._db.read(
            "SELECT run_id, output, committed_at FROM output_versions WHERE path = ? "
            "ORDER BY committed_at DESC, rowid DESC",
            (version_key(path),),
        )
        return [OutputVersion(run_id=row[0], output=row[1], committed_at=row[2]) for row in rows]

    def count(self) -> int:
        """Return the number of runs in the store."""
        return int(self._db.read("SELECT COUNT(*) FROM runs", ())[0][0])

    def _get(self, run_id: str) -> RunRecord | None:
        rows = self._db.read(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))
        return _record(rows[0]) if rows else None

    def _mark_lost(self) -> None:
        """Turn ``running`` rows whose recording process has died on this host to ``lost``.

        Best effort: a store this process may only read keeps them ``running``.
        """
        running = self._db.read(
            f"SELECT run_id, pid FROM runs WHERE status = '{RunStatus.RUNNING}' AND host = ? "
            "AND pid IS NOT NULL",
            (this_host(),),
        )
        dead = [(run_id, pid) for run_id, pid in running if not pid_alive(pid)]
        if not dead:
            return
        try:
            with self._db.write() as conn:
                for run_id, pid in dead:
                    conn.execute(
                        f"UPDATE runs SET status = '{RunStatus.LOST}', "
                        "ended_at = COALESCE(ended_at, updated_at), "
                        "error = COALESCE(error, ?), updated_at = ? "
                        f"WHERE run_id = ? AND status = '{RunStatus.RUNNING}'",
                        (
                            f"its process (pid {pid}) ended without a final event: "
                            "killed, or the machine stopped",
                            utc_now_iso(),
                            run_id,
                        ),
                    )
        except (RunStoreError, sqlite3.Error):
            return


def store_path_from_env(environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the store path the environment names, or None when recording is off.

    Off when ``$DWH_RUN_STORE`` says so, and when neither it nor ``$DWH_HOME`` is set
    and the default home (:func:`dwh.settings.dwh_home`) cannot be written: a production run never
    fails, nor falls back to its working directory, for want of a history.

    Args:
        environ: The environment to read; the process's own by default.
    """
    raw = run_store_setting(environ)
    if is_off(raw):
        return None
    if raw:
        return Path(raw)
    home = dwh_home(environ)
    if home_setting(environ) or home_writable(home):
        return home / "runs.db"
    return None


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise UsageError(f"unknown run status '{status}' (valid: {', '.join(STATUSES)})")


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _record(row: tuple[Any, ...]) -> RunRecord:
    return RunRecord(
        run_id=row[0],
        job=row[1],
        module=row[2],
        status=RunStatus(row[3]),
        config=_loads(row[4]) or {},
        config_hash=row[5],
        started_at=row[6],
        ended_at=row[7],
        metrics=_loads(row[8]),
        outputs=_loads(row[9]),
        error=row[10],
        triggered_by_job=row[11],
        triggered_by_run_id=row[12],
        backfill_id=row[13],
    )

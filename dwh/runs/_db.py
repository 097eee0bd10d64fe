"""The run store's SQLite file: opened safely by many processes, its schema kept current.

:class:`RunStoreDb` is the one connection a :class:`~dwh.runs.store.RunStore` holds. It
puts the file in WAL mode (readers go on while one writer writes), makes writers wait
for each other up to :data:`LOCK_TIMEOUT_SECONDS`, creates or upgrades the schema, and
runs each write in its own ``BEGIN IMMEDIATE`` transaction.

SQLite connections must not cross a ``fork()``: a forked child that writes through an
inherited connection, or opens its own to a file its parent had open, writes without
the locks it believes it holds (SQLite's lock bookkeeping is per process and is copied
by ``fork()``), and corrupts the file. Both raise :class:`RunStoreError` in the child
instead; open the store from a fresh process (``multiprocessing`` with ``spawn``, or
``subprocess``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dwh.errors import RunStoreError
from dwh.settings import RUN_STORE_ENV as STORE_ENV

"""Environment variable: the store's path, or ``off`` to record nothing."""
STORE_VERSION = 4
"""The schema version, kept in SQLite's ``user_version``."""
LOCK_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    module TEXT,
    status TEXT NOT NULL,
    config TEXT NOT NULL DEFAULT '{}',
    config_hash TEXT,
    started_at TEXT,
    ended_at TEXT,
    metrics TEXT,
    outputs TEXT,
    error TEXT,
    triggered_by_job TEXT,
    triggered_by_run_id TEXT,
    updated_at TEXT NOT NULL,
    pid INTEGER,
    host TEXT,
    backfill_id TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job, started_at);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, started_at);
CREATE INDEX IF NOT EXISTS runs_by_parent ON runs (triggered_by_run_id);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, seq);
CREATE TABLE IF NOT EXISTS output_versions (
    path TEXT NOT NULL,
    run_id TEXT NOT NULL,
    output TEXT NOT NULL,
    committed_at TEXT NOT NULL,
    PRIMARY KEY (path, run_id)
);
CREATE INDEX IF NOT EXISTS output_versions_by_path ON output_versions (path, committed_at);
"""
_ADDED_COLUMNS = {"pid": "INTEGER", "host": "TEXT", "backfill_id": "TEXT"}
"""Columns added since schema version 1, added to older stores when they are opened.

Tables added later (``output_versions``, version 4: which run wrote each version of an
output, for ``dwh diff``) are in :data:`_SCHEMA`, whose ``IF NOT EXISTS`` statements an
upgrade runs again; runs recorded before the upgrade have no version rows."""
_ADDED_INDEXES = ("CREATE INDEX IF NOT EXISTS runs_by_backfill ON runs (backfill_id, started_at)",)
"""Indexes on added columns: made after the columns exist."""

_FORKED = (
    "run store {path} was open when this process was forked; SQLite cannot be shared "
    "across fork(): open it from a fresh process (multiprocessing 'spawn' or subprocess)"
)
_open_dbs: weakref.WeakSet[RunStoreDb] = weakref.WeakSet()
_open_in_parent: set[Path] = set()
"""The store files that were open in this process's parent when it forked it."""


def _remember_open_files_after_fork() -> None:
    _open_in_parent.update(db.real_path for db in list(_open_dbs))
    _open_dbs.clear()


os.register_at_fork(after_in_child=_remember_open_files_after_fork)


class RunStoreDb:
    """One connection to a run store file, shared by the threads of one process.

    Args:
        path: The database file. Its folder is created when missing.
        create: When false, a missing file is an error instead of a new store.

    Raises:
        RunStoreError: The file cannot be created or opened, is not a SQLite
            database, was written by a newer dwh, or was open when this process was
            forked.
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.real_path = path.resolve()
        self._lock = threading.Lock()
        self._pid = os.getpid()
        if self.real_path in _open_in_parent:
            raise RunStoreError(_FORKED.format(path=path))
        if not create and not path.is_file():
            raise RunStoreError(f"no run store at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise RunStoreError(f"cannot open run store {path}: {exc}") from exc
        try:
            self._prepare()
        except BaseException as exc:
            # Closing rolls back a half-made schema and frees the lock, even when a
            # cancel (KeyboardInterrupt) lands here.
            self._conn.close()
            if isinstance(exc, sqlite3.Error):
                raise RunStoreError(f"run store {path} is unusable: {exc}") from exc
            raise
        _open_dbs.add(self)

    def close(self) -> None:
        """Close the connection.

        In a forked child the inherited connection is left alone: closing it there
        could remove the parent's write-ahead log.
        """
        with self._lock:
            _open_dbs.discard(self)
            if self._pid == os.getpid():
                self._conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on error.

        Raises:
            RunStoreError: The transaction could not start or commit.
        """
        with self._lock:
            self._check_process()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise RunStoreError(f"cannot write run store {self.path}: {exc}") from exc
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._conn.execute("ROLLBACK")
                raise RunStoreError(f"cannot write run store {self.path}: {exc}") from exc

    def read(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Run one query and return its rows.

        The store's reads compare with ``=``, so a parameter SQLite cannot bind (a lone
        surrogate, which a non-UTF-8 argument becomes) matches no row: none are returned.

        Raises:
            RunStoreError: The query failed.
        """
        if not all(_encodable(param) for param in params):
            return []  # stored text is UTF-8: a lone surrogate (non-UTF-8 argv) matches no row
        with self._lock:
            self._check_process()
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise RunStoreError(f"cannot read run store {self.path}: {exc}") from exc

    def _check_process(self) -> None:
        if self._pid != os.getpid():
            raise RunStoreError(_FORKED.format(path=self.path))

    def _prepare(self) -> None:
        conn = self._conn
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > STORE_VERSION:
            raise RunStoreError(
                f"run store {self.path} has schema version {version}; this dwh reads up to "
                f"{STORE_VERSION}: upgrade dwh or point {STORE_ENV} elsewhere"
            )
        conn.execute(f"PRAGMA busy_timeout = {int(LOCK_TIMEOUT_SECONDS * 1000)}")
        _switch_to_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < STORE_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            # Another process may have upgraded it while this one waited for the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) < STORE_VERSION:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
                columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
                for name, kind in _ADDED_COLUMNS.items():
                    if name not in columns:
                        conn.execute(f"ALTER TABLE runs ADD COLUMN {name} {kind}")
                for statement in _ADDED_INDEXES:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {STORE_VERSION}")
            conn.execute("COMMIT")


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the store in WAL mode, waiting up to :data:`LOCK_TIMEOUT_SECONDS` for others.

    When two processes open a new store at once, both hold a shared lock and want
    an exclusive one to switch its journal mode. SQLite breaks that deadlock by
    failing one of them at once with "database is locked", without calling the
    busy handler, so the wait is ours to do.
    """
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _encodable(param: Any) -> bool:
    """Whether SQLite can bind ``param``: a ``str`` with a lone surrogate it cannot."""
    if not isinstance(param, str):
        return True
    try:
        param.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

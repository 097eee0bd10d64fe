"""The process log of each launched run: ``$DWH_HOME/logs/<run_id>.log``.

Both faces of the launcher (:mod:`dwh.launch`) hand every line the child printed, its
secrets already hidden, to a :class:`RunLogWriter`; the TUI's run drill-down and
``dwh runs log`` read it back with :func:`read_log`. Runs started elsewhere
(``spark-submit``, a notebook, ``python -m`` a job) have no stored log.

The folder is bounded on both sides:

- it keeps the newest ``$DWH_LOG_KEEP`` files (:data:`DEFAULT_KEEP` by default, ``0``
  stores none); the oldest go when a new run's log starts;
- one file holds at most :data:`MAX_LOG_BYTES`; a last line then says it was cut.

Storing is best effort: a write that fails is logged at debug level, the log stops
there, and the run goes on as if nothing happened.

::

    writer = RunLogWriter(run_id)
    writer.write("24/11/25 18:30:01 INFO SparkContext: Running Spark version 4.3.0")
    writer.close()
    read_log(run_id)  # ["24/11/25 18:30:01 INFO SparkContext: ..."]
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from dwh.settings import LOG_KEEP_ENV, dwh_home, log_keep_setting

__all__ = [
    "DEFAULT_KEEP",
    "LOGS_FOLDER",
    "MAX_LOG_BYTES",
    "RunLogWriter",
    "log_keep",
    "log_path",
    "logs_dir",
    "read_log",
]

log = logging.getLogger(__name__)

LOGS_FOLDER = "logs"
"""The folder under ``$DWH_HOME`` that holds the logs."""
DEFAULT_KEEP = 500
"""How many run logs are kept when ``$DWH_LOG_KEEP`` is unset."""
MAX_LOG_BYTES = 20 * 1024 * 1024
"""The most one run's log file holds (20 MiB)."""

_FLUSH_SECONDS = 0.5
# A run id becomes a file name: no separators, no leading dot, not too long.
_SAFE_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def logs_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the folder of run logs, ``$DWH_HOME/logs``."""
    return dwh_home(environ) / LOGS_FOLDER


def log_path(run_id: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the file of a run's log, or None for an id that can't name a file (``a/b``)."""
    if not _SAFE_RUN_ID.fullmatch(run_id):
        return None
    return logs_dir(environ) / f"{run_id}.log"


def log_keep(environ: Mapping[str, str] | None = None) -> int:
    """Return how many run logs to keep: ``$DWH_LOG_KEEP``, or :data:`DEFAULT_KEEP`.

    A value that is not a whole number >= 0 is reported once as a warning and the
    default is used: a setting for the logs never stops a run.
    """
    raw = log_keep_setting(environ)
    if not raw:
        return DEFAULT_KEEP
    try:
        keep = int(raw)
    except ValueError:
        keep = -1
    if keep < 0:
        log.warning(
            "dwh: warning: %s=%r is not a whole number >= 0 (0 stores no logs); keeping %d",
            LOG_KEEP_ENV,
            raw,
            DEFAULT_KEEP,
        )
        return DEFAULT_KEEP
    return keep


def read_log(run_id: str, environ: Mapping[str, str] | None = None) -> list[str] | None:
    """Return a run's stored log lines, or None when the run has no stored log."""
    path = log_path(run_id, environ)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return text.splitlines()


class RunLogWriter:
    """Writes one run's log lines to its file; thread-safe, and never raises.

    The file is created on the first line (a run that prints nothing leaves none), and
    creating it removes the oldest logs beyond the keep count.

    Args:
        run_id: The run whose log this is.
        environ: The environment that names ``$DWH_HOME`` and ``$DWH_LOG_KEEP``: the
            child's, so the log sits beside the run store the child records to.
        max_bytes: The cap of this file.
        keep: How many logs the folder keeps, this one included; by default
            :func:`log_keep`.
    """

    def __init__(
        self,
        run_id: str,
        *,
        environ: Mapping[str, str] | None = None,
        max_bytes: int = MAX_LOG_BYTES,
        keep: int | None = None,
    ) -> None:
        self.run_id = run_id
        self.keep = log_keep(environ) if keep is None else keep
        self.path = log_path(run_id, environ) if self.keep > 0 else None
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._written = 0
        self._flushed_at = 0.0
        self._stopped = self.path is None

    def write(self, line: str) -> None:
        """Add one line (without its newline); after the cap or a failure, nothing."""
        with self._lock:
            if self._stopped:
                return
            try:
                self._write(line)
            except OSError as exc:
                log.debug("run log %s: not stored from here on: %s", self.path, exc)
                self._stop()

    def close(self) -> None:
        """Flush and close the file; later lines are dropped. Closing twice is fine."""
        with self._lock:
            self._stop()

    def _write(self, line: str) -> None:
        if self._file is None:
            self._file = self._open()
        data = (line + "\n").encode("utf-8", errors="replace")
        if self._written + len(data) > self.max_bytes:
            self._file.write(f"[log truncated at {_size(self.max_bytes)}]\n".encode())
            self._stop()
            return
        self._file.write(data)
        self._written += len(data)
        now = time.monotonic()
        if now - self._flushed_at >= _FLUSH_SECONDS:  # readable while the run goes on
            self._file.flush()
            self._flushed_at = now

    def _open(self) -> IO[bytes]:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _prune(self.path.parent, keep=self.keep - 1, spare=self.path)
        self._flushed_at = time.monotonic()
        return self.path.open("wb")

    def _stop(self) -> None:
        self._stopped = True
        if self._file is not None:
            file, self._file = self._file, None
            try:
                file.close()
            except OSError as exc:
                log.debug("run log %s: close failed: %s", self.path, exc)


def _prune(folder: Path, *, keep: int, spare: Path) -> None:
    """Remove the oldest logs so that at most ``keep`` others remain beside ``spare``."""
    dated: list[tuple[float, str, Path]] = []
    for path in folder.glob("*.log"):
        if path == spare:
            continue
        try:
            dated.append((path.stat().st_mtime, path.name, path))
        except OSError:
            continue  # another run removed it meanwhile
    dated.sort()
    for _, _, path in dated[: max(0, len(dated) - keep)]:
        path.unlink(missing_ok=True)


def _size(count: int) -> str:
    mib = 1024 * 1024
    return f"{count // mib} MB" if count % mib == 0 else f"{count} bytes"

"""Output locks: two live runs never write the same output at once.

Before a job starts (after its config is valid, before any Spark session), the factory
locks each output its config names (:meth:`AbstractJobFactory.output_paths`). A second
run that wants any of them fails at once with
:class:`~dwh.errors.JobAlreadyRunningError` (exit 3), naming the run that holds it.

The rule, and why a killed run never blocks:

- A lock is an exclusive ``flock`` on a file in :func:`lock_dir` (``$DWH_LOCK_DIR``,
  default ``<tmp>/dwh-locks``), one file per output, named after the output's absolute
  path. The holder writes its run id, job, pid and host into it.
- The kernel drops a ``flock`` when its holder exits, however it exits (SIGKILL
  included), so a lock left by a dead run is free again at once. The leftover file
  just names the last holder; it is never deleted, because deleting a lock file lets
  two runs lock two different files for the same output.
- Locks cover runs on this host, for local outputs. Outputs on other file systems
  (``s3://``, ``hdfs://``) are not locked: there the scheduler must not start two runs
  of one output at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dwh.errors import JobAlreadyRunningError
from dwh.processes import pid_alive, this_host
from dwh.services.atomic_commit import local_path
from dwh.settings import lock_dir


class OutputLock:
    """An exclusive lock on one local output path, held by one run.

    Args:
        path: The output (a file or folder path); it need not exist yet.
        job: The job that writes it.
        run_id: The run that holds the lock.
        backfill_id: The backfill the run belongs to, named to a run refused the lock.
    """

    def __init__(
        self, path: Path, *, job: str, run_id: str, backfill_id: str | None = None
    ) -> None:
        self.path = path.absolute()
        self.job = job
        self.run_id = run_id
        self.backfill_id = backfill_id
        digest = hashlib.sha256(os.fsencode(self.path)).hexdigest()[:32]
        self.file = lock_dir() / f"{digest}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or fail at once.

        Raises:
            JobAlreadyRunningError: A live run holds it; the message names that run.
        """
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise JobAlreadyRunningError(self._busy_message(holder)) from None
        holder_info = {
            "run_id": self.run_id,
            "job": self.job,
            "pid": os.getpid(),
            "host": this_host(),
            "path": str(self.path),
        }
        if self.backfill_id:
            holder_info["backfill_id"] = self.backfill_id
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder_info).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (closing the file releases the ``flock``)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _busy_message(self, holder: dict[str, Any]) -> str:
        other = holder.get("run_id") or "unknown"
        where = f"pid {holder['pid']} on {holder['host']}" if "pid" in holder else "another process"
        if holder.get("backfill_id"):
            other += f" of backfill {holder['backfill_id']}"
        mine = f" (backfill {self.backfill_id})" if self.backfill_id else ""
        return (
            f"job '{self.job}' is already running: run {other} ({where}) is writing "
            f"{self.path}; run {self.run_id}{mine} did not start"
        )


@contextlib.contextmanager
def output_locks(
    paths: Iterable[str], *, job: str, run_id: str, backfill_id: str | None = None
) -> Iterator[None]:
    """Hold a lock on each local output in ``paths`` for the ``with`` block.

    Raises:
        JobAlreadyRunningError: One of them is held by a live run; none is kept.
    """
    locks = []
    for path in sorted(set(paths)):
        local = local_path(path)
        if local is not None:
            locks.append(OutputLock(local, job=job, run_id=run_id, backfill_id=backfill_id))
    try:
        for lock in locks:
            lock.acquire()
        yield
    finally:
        for lock in locks:
            lock.release()


def _holder(fd: int) -> dict[str, Any]:
    """Read who holds the lock; the holder writes it just after locking, so wait briefly."""
    deadline = time.monotonic() + 1.0
    while True:
        raw = os.pread(fd, 4096, 0)
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        current = isinstance(data, dict) and _alive(data)
        if current or time.monotonic() > deadline:
            return data if isinstance(data, dict) else {}
        time.sleep(0.02)


def _alive(holder: dict[str, Any]) -> bool:
    """False when the file still names an earlier holder that has died on this host."""
    if holder.get("host") != this_host() or not isinstance(holder.get("pid"), int):
        return True
    return pid_alive(holder["pid"])

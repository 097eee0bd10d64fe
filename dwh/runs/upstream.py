"""Is a run about to read stale data? Its inputs that an upstream job wrote, from the run store.

A job run alone reads whatever its inputs hold. When one of them is the output of
another job (the run store knows which run wrote each output version), that job's
last run says whether the data is current:

- it **failed** (or was cancelled, or lost): the input still holds an older run's output;
- it succeeded, but **one of its own inputs changed after it started**: its output is
  older than what it was built from.

:func:`stale_input_lines` gives one line for each such input, for ``dwh run`` (and any
face that starts a run) to print before it starts::

    for line in stale_input_lines("filter_images", config):
        print(f"dwh: warning: {line}", file=sys.stderr)

It reads the store without creating one, and says nothing when there is none.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dwh.events import RunStatus, parse_time
from dwh.runs.store import RunRecord, RunStore
from dwh.services.atomic_commit import local_path

__all__ = ["StaleInput", "stale_input_lines", "stale_inputs"]

_MAX_FILES = 10_000
"""At most this many entries of an upstream input are looked at for their change time."""


@dataclass(frozen=True)
class StaleInput:
    """An input of a run that an upstream job wrote, and why it may be stale.

    Attributes:
        field: The config field that names the input.
        path: Its value.
        upstream: The last run of the job that wrote it.
        written_by: The run whose output the input holds.
        changed_input: When the upstream run succeeded: its own input that changed
            after it started, and when (UTC); else None.
    """

    field: str
    path: str
    upstream: RunRecord
    written_by: str
    changed_input: tuple[str, datetime] | None = None

    @property
    def line(self) -> str:
        """The one line that says it."""
        job, run = self.upstream.job, self.upstream
        head = f"{self.field} ({self.path}) is the output of {job}, "
        if self.changed_input is None:
            held = "" if self.written_by == run.run_id else f"; it holds run {self.written_by}'s"
            return f"{head}whose last run {run.run_id} {run.status}{held}"
        name, when = self.changed_input
        return (
            f"{head}whose last run {run.run_id} started before its input {name} changed "
            f"({when:%Y-%m-%d %H:%M:%S} UTC); run {job} first for current data"
        )


def stale_input_lines(job: str, config: Mapping[str, Any]) -> list[str]:
    """Return one line per input of ``job``'s run whose upstream data is stale (see module).

    Nothing when recording is off or no store exists yet.
    """
    existing = RunStore.open_existing()
    if existing.store is None:
        return []
    with existing.store as store:
        return [stale.line for stale in stale_inputs(store, job, config)]


def stale_inputs(store: RunStore, job: str, config: Mapping[str, Any]) -> list[StaleInput]:
    """Return the inputs of a ``job`` run with ``config`` that hold stale upstream data."""
    found: list[StaleInput] = []
    for field, path in _paths(config):
        writer = _writer(store, path)
        if writer is None:
            continue
        written = store.get(writer)
        if written is None or written.job == job:
            continue
        latest = store.runs(job=written.job, limit=1)
        last = latest[0] if latest else written
        if last.status in (RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.LOST):
            found.append(StaleInput(field, path, last, writer))
        elif last.status == RunStatus.SUCCEEDED:
            changed = _changed_input(last)
            if changed is not None:
                found.append(StaleInput(field, path, last, writer, changed))
    return found


def _paths(config: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The config's string values that may name a path (UTF-8, no NUL: SQLite's keys)."""
    for field, value in config.items():
        if not isinstance(value, str) or not value or "\x00" in value:
            continue
        if field in ("triggered_by_job", "triggered_by_run_id", "run_date"):
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            continue
        yield field, value


def _writer(store: RunStore, path: str) -> str | None:
    """The run whose output ``path`` (or a folder above it) holds now, if the store knows."""
    local = local_path(path)
    candidates = [path] if local is None else [str(p) for p in (local, *local.parents)][:-1]
    for candidate in candidates:
        versions = store.output_versions(candidate)
        if versions:
            return versions[0].run_id
    return None


def _changed_input(run: RunRecord) -> tuple[str, datetime] | None:
    """The first of ``run``'s own local inputs that changed after it started, and when."""
    if not run.started_at:
        return None
    started = parse_time(run.started_at)
    outputs = [os.path.abspath(p) for p in (run.outputs or {}).values() if local_path(p)]
    for field, value in _paths(run.config):
        local = local_path(value)
        if local is None or not local.exists():
            continue
        here = os.path.abspath(local)
        if any(_related(here, out) for out in outputs):
            continue  # its own output (or a folder holding one), written after it started
        newest = _newest_change(local)
        if newest is not None and newest > started:
            return field, newest
    return None


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + os.sep) or b.startswith(a + os.sep)


def _newest_change(path: Path) -> datetime | None:
    """The newest modification time of ``path`` and what it holds (bounded, UTC)."""
    try:
        newest = path.stat().st_mtime
        seen = 0
        for folder, dirs, files in os.walk(path) if path.is_dir() else ():
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if not name.startswith((".", "_")):
                    newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime)
            seen += len(files) + len(dirs)
            if seen > _MAX_FILES:
                break
    except OSError:
        return None
    return datetime.fromtimestamp(newest, UTC)

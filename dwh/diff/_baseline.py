"""Which two versions a diff compares: the target's and its baseline.

An output folder's versions, newest first, are the folder itself and then its kept
previous versions (:func:`dwh.services.atomic_commit.previous_versions`). The run store's
``output_versions`` names the run that wrote each, in the same order: version ``i`` was
written by the ``i``-th newest run that recorded the path. So a run id picks a version
while it is still kept, and ``--against previous`` is simply the next one down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.errors import DiffTargetError
from dwh.preview import resolve_target
from dwh.services.atomic_commit import keep_versions, local_path, previous_versions

if TYPE_CHECKING:
    from dwh.runs.store import RunRecord, RunStore

PREVIOUS = "previous"
"""``--against previous``: the version the target's commit replaced (the default)."""


@dataclass(frozen=True)
class Version:
    """One side of a diff before it is read.

    Attributes:
        label: ``new``, ``previous`` or what ``--against`` named.
        path: The file, folder or URI holding it.
        run_id: The run that wrote it, when known.
    """

    label: str
    path: str
    run_id: str | None


@dataclass(frozen=True)
class Pair:
    """The two versions to compare, and what the target named.

    Attributes:
        old: The baseline.
        new: The target's version.
        output: The run's output name, when the target was a run (or the store knows
            which run output the path is).
        job: The job that wrote the target's version, when known (for its key).
        config: That run's config (redacted), when known.
    """

    old: Version
    new: Version
    output: str | None
    job: str | None
    config: dict[str, Any] = field(default_factory=dict)


def resolve_pair(target: str, *, output: str | None, against: str, store: RunStore | None) -> Pair:
    """Resolve TARGET and ``--against`` to the two versions to compare.

    Raises:
        PreviewTargetError: TARGET is no path and no recorded run, or ``output`` is wrong.
        DiffTargetError: No kept previous version, or ``against`` names nothing usable.
    """
    resolved = resolve_target(target, output=output, store=store)
    versions = store.output_versions(resolved.path) if store is not None else []
    writers = [v.run_id for v in versions]
    record: RunRecord | None = resolved.record
    name = resolved.output or (versions[0].output if versions else None)
    origin = record if record is not None else _writer(store, writers)
    local = local_path(resolved.path)
    chain = [Path(resolved.path), *previous_versions(local)] if local is not None else []
    if record is not None and writers and record.run_id not in writers:
        raise DiffTargetError(
            f"run {record.run_id} wrote {resolved.path}, but the run store has no record of "
            f"which version (it ran before dwh recorded versions): diff the path instead"
        )
    at = writers.index(record.run_id) if record is not None and writers else 0
    if local is not None and at >= len(chain):
        raise DiffTargetError(
            f"run {record.run_id if record else '?'}'s version of {resolved.path} is no longer "
            f"kept (DWH_KEEP_VERSIONS={keep_versions()}): diff a newer run"
        )
    new = Version("new", str(chain[at]) if chain else resolved.path, _nth(writers, at, record))
    old = _baseline(resolved.path, against, chain, writers, at)
    job, config = (origin.job, dict(origin.config)) if origin is not None else (None, {})
    return Pair(old=old, new=new, output=name, job=job, config=config)


def _baseline(path: str, against: str, chain: list[Path], writers: list[str], at: int) -> Version:
    if against == PREVIOUS:
        if at + 1 >= len(chain):
            raise DiffTargetError(_no_previous(path, remote=not chain))
        return Version(PREVIOUS, str(chain[at + 1]), _nth(writers, at + 1, None))
    given = local_path(against)
    if given is None or given.exists():
        return Version(against, against, None)
    if against in writers:
        index = writers.index(against)
        if index == at:
            raise DiffTargetError(f"--against {against} is the target's own version")
        if index >= len(chain):
            raise DiffTargetError(
                f"--against {against}: that run's version of {path} is no longer kept "
                f"(DWH_KEEP_VERSIONS={keep_versions()})"
            )
        return Version(against, str(chain[index]), against)
    raise DiffTargetError(
        f"--against {against!r} is not 'previous', a path, or a run that wrote {path} "
        f"(runs that did: {', '.join(writers[:5]) or 'none recorded'})"
    )


def _no_previous(path: str, *, remote: bool) -> str:
    if remote:
        return f"{path} is remote and keeps no previous version: pass --against PATH or RUN_ID"
    keep = keep_versions()
    why = "DWH_KEEP_VERSIONS=0 keeps none" if keep == 0 else "it has been written only once"
    return f"{path} has no previous version to diff against ({why}); pass --against PATH"


def _nth(writers: list[str], index: int, record: RunRecord | None) -> str | None:
    if index < len(writers):
        return writers[index]
    return record.run_id if record is not None else None


def _writer(store: RunStore | None, writers: list[str]) -> RunRecord | None:
    """The run that wrote the current version of a path, when the store knows it."""
    if store is None or not writers:
        return None
    return store.get(writers[0])

"""Atomic folder commit: stage a dataset beside its target, then swap it in.

Readers must see a dataset whole or not at all, and a run killed at any moment
(SIGKILL included) must leave the earlier version intact and readable. Spark's own
``mode("overwrite")`` deletes the old files before it writes the new ones, so a crash in
between loses both. The protocol here:

1. The new version is written to a hidden staging folder beside the target,
   ``.<name>.dwh-staging-<pid>-<token>``. Spark and Hive skip names that start with
   ``.``, so readers of the parent (a partitioned table) never see it.
2. :func:`commit` swaps the staging folder and the target with one
   ``renameat2(RENAME_EXCHANGE)`` system call, or renames the staging folder in when
   there is no target yet. Both are atomic: there is no moment at which the target is
   missing, half-written or mixed.
3. The old version, now under the staging name, is renamed to a hidden
   ``.<name>.dwh-previous-<pid>-<ns>`` folder (``<ns>``: the commit's time in
   nanoseconds, hex, so names sort by age). A reader that opened the folder an instant
   before the swap still lists a whole old version (and then fails loudly on a moved
   file) instead of an emptying folder, which would read as a silently empty dataset.

**The baseline guarantee.** After each commit, the version it replaced stays readable,
whole, as the target's baseline until the next commit of the same target: that is what
``dwh diff`` compares a run's output with (:mod:`dwh.diff`). How many replaced versions
a target keeps is ``DWH_KEEP_VERSIONS`` (:func:`keep_versions`): 1 by default, N keeps
the last N, 0 keeps none (the old version is deleted right after the swap, and there
is no baseline). Older ones are deleted before the new one is parked, so a kill at any
moment leaves at most N. A single file (``CsvLoader(single_file=True)``) is committed by
:func:`commit_file`: the old file is hard-linked to its previous name, then the new one
renamed over it, so the same guarantee holds.

A kill before step 2 leaves the old version in place and a staging folder behind; a
kill after it leaves the new version in place and the old one behind. Leftovers are
hidden, and :func:`recover` (run before each load) deletes those whose process is gone.

Where the exchange is not available (macOS, some network file systems) the commit falls
back to two renames, parking the old version at a hidden backup name in between. A kill
inside that window (microseconds) leaves the target missing until :func:`recover` puts
the backup back, which the next load of the same target does first.

Only local paths (and ``file:`` URIs) are handled here; object stores have no atomic
rename, see :mod:`dwh.services.loaders`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

from dwh.errors import UsageError
from dwh.processes import pid_alive
from dwh.settings import KEEP_VERSIONS_ENV, keep_versions_setting

_STAGING = "dwh-staging"
_BACKUP = "dwh-backup"
_PREVIOUS = "dwh-previous"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
DEFAULT_KEEP_VERSIONS = 1
"""How many replaced versions a target keeps when ``DWH_KEEP_VERSIONS`` is unset."""
_LEFTOVER = re.compile(
    r"\.(?P<name>.+)\.(?P<kind>dwh-staging|dwh-backup|dwh-previous)-(?P<pid>\d+)-[0-9a-f]+"
)


def local_path(path: str) -> Path | None:
    """Return ``path`` as a local path, or None when it names another file system.

    Plain paths and ``file:`` URIs are local; ``s3://``, ``hdfs://`` and the like are not.
    """
    if path.startswith("file:"):
        return Path(re.sub(r"^file:(//)?", "", path))
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        return None
    return Path(path)


def stage_path(target: Path) -> Path:
    """Return a fresh hidden staging folder name beside ``target`` (not created)."""
    return _sibling(target, _STAGING)


def keep_versions(environ: Mapping[str, str] | None = None) -> int:
    """Return how many replaced versions each target keeps, from ``DWH_KEEP_VERSIONS``.

    Raises:
        UsageError: The setting is not a whole number, 0 or more.
    """
    raw = keep_versions_setting(environ)
    if not raw:
        return DEFAULT_KEEP_VERSIONS
    if not raw.isdigit():
        raise UsageError(
            f"{KEEP_VERSIONS_ENV} must be a whole number, 0 (keep no previous version) "
            f"or more, got {raw!r}"
        )
    return int(raw)


def commit(staged: Path, target: Path, *, keep: int | None = None) -> None:
    """Atomically make ``staged`` the content of ``target``; keep the old one hidden.

    Args:
        staged: The complete new version (a folder beside ``target``).
        target: The folder to replace.
        keep: How many replaced versions to keep (the newest first); by default
            :func:`keep_versions`. The oldest beyond it are deleted.

    Raises:
        FileNotFoundError: ``staged`` does not exist.
        UsageError: ``keep`` is not given and ``DWH_KEEP_VERSIONS`` is malformed.
    """
    kept = keep_versions() if keep is None else keep
    if not staged.is_dir():
        raise FileNotFoundError(f"nothing staged at {staged}")
    if not target.exists():
        os.rename(staged, target)
    elif _exchange(staged, target):
        _retire(staged, target, kept)  # staged now holds the old version
    else:
        backup = _sibling(target, _BACKUP)
        os.rename(target, backup)
        os.rename(staged, target)
        _retire(backup, target, kept)
    _sync_dir(target.parent)


def replace_file(target: Path, text: str) -> Path:
    """Write ``text`` to ``target`` atomically: a reader sees the old file or the new one.

    The text goes to a hidden temporary file beside ``target``, which is then renamed
    over it; on any failure the temporary file is removed and ``target`` is untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling(target, _STAGING)
    try:
        with tmp.open("w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(target.parent)
    return target


def commit_file(new: Path, target: Path, *, keep: int | None = None) -> None:
    """Atomically replace the file ``target`` with ``new``; keep the old one hidden.

    The old file is hard-linked (copied where links are not possible) to a hidden
    previous name first, then ``new`` is renamed over ``target``: readers see the old
    file or the new one, and the old one stays readable as the baseline.

    Raises:
        FileNotFoundError: ``new`` does not exist.
        UsageError: ``keep`` is not given and ``DWH_KEEP_VERSIONS`` is malformed.
    """
    kept = keep_versions() if keep is None else keep
    if not new.is_file():
        raise FileNotFoundError(f"nothing staged at {new}")
    old = previous_versions(target)
    for path in old[max(kept - 1, 0) :] if kept > 0 else old:
        discard(path)
    if kept > 0 and target.is_file():
        parked = _previous_name(target)
        try:
            os.link(target, parked)
        except OSError:
            shutil.copy2(target, parked)
    os.replace(new, target)
    _sync_dir(target.parent)


def previous_versions(target: Path) -> list[Path]:
    """Return the hidden previous versions of ``target``, the most recently replaced first.

    After a commit there are at most :func:`keep_versions` of them; the first is the
    version that commit replaced, the baseline ``dwh diff`` compares with.
    """
    found = [path for path, kind, _ in _leftovers(target) if kind == _PREVIOUS]
    return sorted(found, key=_age_token, reverse=True)


def _age_token(path: Path) -> int:
    """The commit time a previous version's name carries (its hex token)."""
    return int(path.name.rpartition("-")[2], 16)


def _retire(old: Path, target: Path, keep: int) -> None:
    """Park ``old`` as the newest previous version of ``target``, keeping ``keep`` in all.

    The oldest beyond ``keep - 1`` are deleted first. A kill in between leaves fewer
    previous versions and ``old`` under its staging or backup name, which
    :func:`recover` deletes: never more than ``keep``.
    """
    if keep < 1:
        discard(old)
        for path in previous_versions(target):
            discard(path)
        return
    for path in previous_versions(target)[keep - 1 :]:
        discard(path)
    os.rename(old, _previous_name(target))


def _previous_name(target: Path) -> Path:
    """A new previous-version name beside ``target``; its token is the time, for age."""
    return target.parent / f".{target.name}.{_PREVIOUS}-{os.getpid()}-{time.time_ns():x}"


def discard(path: Path) -> None:
    """Delete a staging, backup or previous folder (or file); a missing one is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover(target: Path) -> list[Path]:
    """Repair what a killed commit of ``target`` left behind.

    A backup is moved back when the target is missing; staging folders and backups of
    processes that no longer run are deleted. Folders of live processes are kept, so a
    concurrent writer's staging folder survives. Previous versions are not touched:
    the next commit replaces the one it keeps.

    Returns:
        The folders deleted.
    """
    removed: list[Path] = []
    for leftover, kind, pid in _leftovers(target):
        if kind == _PREVIOUS or pid_alive(pid):
            continue
        if kind == _BACKUP and not target.exists():
            os.rename(leftover, target)
            continue
        discard(leftover)
        removed.append(leftover)
    return removed


def _leftovers(target: Path) -> list[tuple[Path, str, int]]:
    """The hidden staging, backup and previous folders of ``target``: path, kind, pid."""
    if not target.parent.is_dir():
        return []
    found = []
    for path in sorted(target.parent.iterdir()):
        match = _LEFTOVER.fullmatch(path.name)
        if match is not None and match["name"] == target.name:
            found.append((path, match["kind"], int(match["pid"])))
    return found


def _sibling(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False when this system or file system can't."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, f"could not swap {a} and {b}: {os.strerror(code)}")


def _sync_dir(path: Path) -> None:
    """Flush the folder's entries so the rename survives a power cut."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

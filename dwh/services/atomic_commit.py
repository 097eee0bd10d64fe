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
   ``.<name>.dwh-previous-...`` folder and kept until the next commit of the same
   target. A reader that opened the folder an instant before the swap still lists a
   whole old version (and then fails loudly on a moved file) instead of an emptying
   folder, which would read as a silently empty dataset. Each target keeps at most one
   previous version.

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
from pathlib import Path

from dwh.processes import pid_alive

_STAGING = "dwh-staging"
_BACKUP = "dwh-backup"
_PREVIOUS = "dwh-previous"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
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


def commit(staged: Path, target: Path) -> None:
    """Atomically make ``staged`` the content of ``target``; keep the old one hidden.

    The old version replaces any earlier previous version of ``target``: one is kept.

    Raises:
        FileNotFoundError: ``staged`` does not exist.
    """
    if not staged.is_dir():
        raise FileNotFoundError(f"nothing staged at {staged}")
    if not target.exists():
        os.rename(staged, target)
    elif _exchange(staged, target):
        _retire(staged, target)  # staged now holds the old version
    else:
        backup = _sibling(target, _BACKUP)
        os.rename(target, backup)
        os.rename(staged, target)
        _retire(backup, target)
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


def previous_versions(target: Path) -> list[Path]:
    """Return the hidden previous version(s) of ``target`` (at most one after a commit)."""
    return [path for path, kind, _ in _leftovers(target) if kind == _PREVIOUS]


def _retire(old: Path, target: Path) -> None:
    """Keep ``old`` as the one previous version of ``target``; delete older ones first.

    A kill in between leaves no previous version and ``old`` under its staging or backup
    name, which :func:`recover` deletes: never two previous versions.
    """
    for path in previous_versions(target):
        discard(path)
    os.rename(old, _sibling(target, _PREVIOUS))


def discard(path: Path) -> None:
    """Delete a staging or backup folder; a missing one is fine."""
    shutil.rmtree(path, ignore_errors=True)


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

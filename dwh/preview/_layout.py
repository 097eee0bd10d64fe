"""Find what a path holds: its format, its data files and its partition columns.

A dataset on disk is a single file, a folder of part files (what Spark writes), or a
hive-partitioned folder (``year=2026/month=11/day=25/part-...``). Names that start with
``.`` or ``_`` are not data: Spark's ``_SUCCESS`` and ``_committed`` markers, Hadoop's
``.crc`` checksums, and dwh's hidden staging and previous versions beside a target
(:mod:`dwh.services.atomic_commit`). Hive and Spark skip them the same way.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePath

from dwh.errors import DataReadError, PreviewTargetError

FORMATS: tuple[str, ...] = ("parquet", "csv", "json")
"""The formats a local path can hold: Parquet, CSV with a header, JSON lines."""

_SUFFIXES: dict[str, str] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
}
_COMPRESSED = (".gz", ".bz2", ".zst", ".lz4", ".snappy")
_PARTITION = re.compile(r"^(?P<key>[^=/]+)=(?P<value>[^/]*)$")


@dataclass(frozen=True)
class Layout:
    """Where a dataset's rows are.

    Attributes:
        root: The file or folder named.
        format: One of :data:`FORMATS`.
        files: The data files, sorted; one for a single file.
        partition_columns: The ``key=value`` folder names under ``root``, outermost first.
    """

    root: Path
    format: str
    files: tuple[Path, ...]
    partition_columns: tuple[str, ...] = ()

    @property
    def is_folder(self) -> bool:
        """Whether ``root`` is a folder of part files."""
        return self.root.is_dir()


def is_hidden(name: str) -> bool:
    """Return whether a file or folder name is metadata, not data (``_SUCCESS``, ``.x``)."""
    return name.startswith((".", "_"))


def format_of(path: PurePath) -> str | None:
    """Return the format a file name says, or None when it says none (``part-00000``)."""
    name = path.name.lower()
    for suffix in _COMPRESSED:
        if name.endswith(suffix) and not name.endswith(".parquet" + suffix):
            name = name[: -len(suffix)]
    return _SUFFIXES.get(Path(name).suffix)


def sniff(path: Path) -> str:
    """Return a file's format from its first bytes: Parquet's magic, a JSON object, or CSV.

    Raises:
        DataReadError: The file cannot be opened.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise DataReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head.startswith(b"PAR1"):
        return "parquet"
    return "json" if head.lstrip().startswith(b"{") else "csv"


def find_layout(path: str | Path) -> Layout:
    """Describe the dataset at a local ``path``.

    In a folder, data files are those with a data suffix (``.parquet``, ``.csv``,
    ``.json``, ``.jsonl``, compressed too) or Spark's ``part-`` names, in the folder
    itself or in ``key=value`` partition folders; anything else (other folders, dangling
    links, sockets, FIFOs, lock files) is skipped, never opened.

    Raises:
        PreviewTargetError: Nothing is at ``path``, it is not a file or folder (a FIFO,
            a socket, a device), or a folder holds no data files.
        DataReadError: The folder mixes formats, or a file cannot be opened.
    """
    root = Path(path)
    if _is_regular_file(root):
        return Layout(root, format_of(root) or sniff(root), (root,))
    if not _is_folder(root):
        if os.path.lexists(root):
            raise PreviewTargetError(
                f"{path} is not a data file or folder (a dangling link, FIFO, socket or device)"
            )
        raise PreviewTargetError(f"no file or folder at {path}")
    files, skipped = _data_files(root)
    if not files:
        note = f"; skipped {skipped} entries that are not regular files" if skipped else ""
        raise PreviewTargetError(
            f"folder {path} holds no data files: looked for {LOOKED_FOR}{note}"
        )
    files.sort()
    formats = {format_of(file) or sniff(file) for file in files}
    if len(formats) > 1:
        raise DataReadError(
            f"folder {path} mixes formats ({', '.join(sorted(formats))}); preview one file"
        )
    return Layout(root, formats.pop(), tuple(files), _partition_columns(root, files[0]))


LOOKED_FOR = (
    "Parquet, CSV or JSON-lines files (*.parquet, *.csv, *.json, *.jsonl, or Spark's "
    "part-* files) in it or in key=value partition folders, not hidden or _-prefixed"
)
"""What :func:`find_layout` looks for in a folder, as its error says it."""


def _is_regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, ValueError):  # a dangling link, no permission, a NUL in the name
        return False


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _is_data_name(name: str) -> bool:
    return not is_hidden(name) and (
        name.startswith("part-") or format_of(PurePath(name)) is not None
    )


def _data_files(root: Path) -> tuple[list[Path], int]:
    """The data files under ``root``, and how many data-named entries were not files."""
    found: list[Path] = []
    skipped = 0
    for folder, dirs, names in os.walk(root):
        # Spark writes part files at the top or in partition folders, nowhere else.
        dirs[:] = sorted(d for d in dirs if not is_hidden(d) and _PARTITION.match(d))
        for name in names:
            if not _is_data_name(name):
                continue
            path = Path(folder) / name
            try:
                info = path.stat()
            except (OSError, ValueError):
                skipped += 1
                continue
            if not stat.S_ISREG(info.st_mode):
                skipped += 1
            elif info.st_size > 0 or format_of(path) != "parquet":
                found.append(path)
    return found, skipped


def _partition_columns(root: Path, file: Path) -> tuple[str, ...]:
    parts = file.relative_to(root).parts[:-1]
    matches = [_PARTITION.match(part) for part in parts]
    if not parts or not all(matches):
        return ()
    return tuple(match.group("key") for match in matches if match)

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

    Raises:
        PreviewTargetError: Nothing is at ``path``, or a folder holds no data files.
        DataReadError: The folder mixes formats, or a file cannot be opened.
    """
    root = Path(path)
    if root.is_file():
        return Layout(root, format_of(root) or sniff(root), (root,))
    if not root.is_dir():
        raise PreviewTargetError(f"no file or folder at {path}")
    files = sorted(_data_files(root))
    if not files:
        raise PreviewTargetError(
            f"folder {path} holds no data files (only hidden or _-prefixed names, or nothing)"
        )
    formats = {format_of(file) or sniff(file) for file in files}
    if len(formats) > 1:
        raise DataReadError(
            f"folder {path} mixes formats ({', '.join(sorted(formats))}); preview one file"
        )
    return Layout(root, formats.pop(), tuple(files), _partition_columns(root, files[0]))


def _data_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d))
        found.extend(Path(folder) / name for name in names if not is_hidden(name))
    return [path for path in found if path.stat().st_size > 0 or format_of(path) != "parquet"]


def _partition_columns(root: Path, file: Path) -> tuple[str, ...]:
    parts = file.relative_to(root).parts[:-1]
    matches = [_PARTITION.match(part) for part in parts]
    if not parts or not all(matches):
        return ()
    return tuple(match.group("key") for match in matches if match)

"""A sandbox for importing job code: every side effect it has, with the line behind it.

Used by :mod:`dwh.devtools._probe` (the child side of ``dwh check``) while a job's
modules are imported: an audit hook sees file writes, processes, sockets and
environment changes; a meta-path finder sees pyspark being imported; stdout, stderr,
``sys.path`` and ``threading.Thread.start`` are watched. Effects are blamed on the
innermost frame of code under the watched folder.
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["WATCH", "watching"]

_OWN = {str(Path(__file__).resolve()), str(Path(__file__).with_name("_probe.py").resolve())}
"""The sandbox's and the probe's own files: their frames are never blamed."""
_STDLIB = str(Path(os.__file__).resolve().parent)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_AUDITED = {
    "os.mkdir": "creates a directory",
    "os.remove": "deletes a file",
    "os.rename": "renames a file",
    "os.rmdir": "removes a directory",
    "shutil.rmtree": "removes a directory tree",
    "subprocess.Popen": "starts a process",
    "os.system": "runs a shell command",
    "os.exec": "replaces the process",
    "os.posix_spawn": "starts a process",
    "os.fork": "forks the process",
    "socket.connect": "opens a network connection",
    "socket.bind": "binds a network socket",
    "urllib.Request": "makes an HTTP request",
    "os.putenv": "changes the environment",
    "os.unsetenv": "changes the environment",
}
_HEAVY = ("pyspark", "py4j")


class _Watch:
    """Records side effects, with the job-code line behind each, while active."""

    def __init__(self) -> None:
        self.active = False
        self.folder = ""
        self.effects: list[tuple[str, str, int]] = []
        self.heavy = False

    def where(self) -> tuple[str, int]:
        """The innermost frame in the job's folder, else in any non-stdlib code."""
        frame: FrameType | None = sys._getframe(1)
        fallback: tuple[str, int] | None = None
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(self.folder):
                return name, frame.f_lineno
            foreign = name.startswith(("<", _STDLIB)) or name in _OWN
            if fallback is None and not foreign:
                fallback = (name, frame.f_lineno)
            frame = frame.f_back
        return fallback or ("<unknown>", 1)

    def record(self, what: str) -> None:
        if self.active:
            path, line = self.where()
            self.effects.append((what, path, line))

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "open":
            path, mode, flags = args
            writes = any(c in mode for c in "wax+") if mode else bool(flags & _WRITE_FLAGS)
            if writes and not isinstance(path, int):
                self.record(f"writes the file {path}")
        elif event in _AUDITED:
            self.record(_AUDITED[event])

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        """Meta-path hook: note pyspark being imported, then let the real finders work."""
        if name in _HEAVY and name not in sys.modules and not self.heavy:
            self.heavy = True  # the first one is the line to fix; the rest follow from it
            self.record(f"imports {name} (import it inside functions, or under TYPE_CHECKING)")


class _Output(io.TextIOBase):
    """A stand-in for stdout/stderr that records who writes to it."""

    def __init__(self, watch: _Watch, name: str) -> None:
        self._watch, self._name = watch, name

    def write(self, text: str, /) -> int:
        if text.strip():
            self._watch.record(f"prints to {self._name}: {text.strip()[:60]!r}")
        return len(text)

    def flush(self) -> None:
        return None


class _PathList(list[str]):
    """``sys.path`` that records who changes it."""

    watch: _Watch

    def _changed(self) -> None:
        self.watch.record("changes sys.path")

    def insert(self, index: Any, value: Any) -> None:
        self._changed()
        super().insert(index, value)

    def append(self, value: Any) -> None:
        self._changed()
        super().append(value)

    def extend(self, values: Any) -> None:
        self._changed()
        super().extend(values)

    def remove(self, value: Any) -> None:
        self._changed()
        super().remove(value)


WATCH = _Watch()


@contextmanager
def watching(folder: Path) -> Iterator[_Watch]:
    """Watch for side effects of code run inside the block, blaming code under ``folder``."""
    WATCH.folder, WATCH.effects, WATCH.heavy = str(folder) + os.sep, [], False
    saved_out, saved_err, saved_path = sys.stdout, sys.stderr, sys.path
    saved_start = threading.Thread.start
    path_list = _PathList(sys.path)
    path_list.watch = WATCH

    def start(thread: threading.Thread, /) -> None:
        WATCH.record(f"starts a thread ({thread.name})")
        saved_start(thread)

    sys.stdout = _Output(WATCH, "stdout")
    sys.stderr = _Output(WATCH, "stderr")
    sys.path = path_list
    threading.Thread.start = start  # type: ignore[method-assign,assignment]
    WATCH.active = True
    try:
        yield WATCH
    finally:
        WATCH.active = False
        if sys.path is not path_list:
            WATCH.effects.append(("replaces sys.path", str(folder), 1))
        sys.stdout, sys.stderr, sys.path = saved_out, saved_err, list(saved_path)
        threading.Thread.start = saved_start  # type: ignore[method-assign]

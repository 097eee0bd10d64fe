"""Reading a child's streams: lines cut to a safe size, event lines parsed or flagged."""

from __future__ import annotations

from dataclasses import dataclass

from dwh.events import Event

MAX_LINE = 4 * 1024 * 1024
"""A longer line is cut (and marked) rather than held in memory whole."""
CUT_MARK = " [line cut]"


@dataclass(frozen=True)
class LogLine:
    """A line the process printed (its own or Spark's log)."""

    text: str


@dataclass(frozen=True)
class StreamProblem:
    """A line on the event stream that is not a valid event."""

    text: str
    reason: str


RunItem = Event | LogLine | StreamProblem
"""What a running job hands its watcher: an event, a log line, or a bad event line."""


def read_event_line(line: str) -> Event | StreamProblem | None:
    """Parse one line of the event stream; None for a blank line."""
    if not line.strip():
        return None
    try:
        return Event.from_json(line)
    except (ValueError, KeyError, TypeError) as exc:
        return StreamProblem(line, f"not an event: {type(exc).__name__}: {exc}")


class LineSplitter:
    """Splits a byte stream into text lines; a line past ``limit`` bytes is cut.

    Both faces feed it the chunks they read (a thread with ``os.read``, or an asyncio
    stream), so a runaway line never costs more than ``limit`` bytes of memory.
    """

    def __init__(self, limit: int = MAX_LINE) -> None:
        self._limit = limit
        self._buffer = b""
        self._cutting = False

    def feed(self, chunk: bytes) -> list[str]:
        """Add a chunk; return the lines it completed."""
        *complete, self._buffer = (self._buffer + chunk).split(b"\n")
        lines = []
        for raw in complete:
            if self._cutting:  # the rest of a line already cut: drop it
                self._cutting = False
                continue
            lines.append(_text(raw))
        if len(self._buffer) > self._limit:
            if not self._cutting:
                lines.append(_text(self._buffer[: self._limit]) + CUT_MARK)
            self._cutting = True
            self._buffer = b""
        return lines

    def end(self) -> list[str]:
        """The stream ended: return its last, unterminated line if any."""
        rest, self._buffer = self._buffer, b""
        if not rest or self._cutting:
            return []
        return [_text(rest)]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")

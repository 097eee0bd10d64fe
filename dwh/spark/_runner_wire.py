"""The warm runner's wire: length-prefixed JSON messages, file descriptors alongside.

A message is a 4-byte big-endian length and that many bytes of JSON (an object). The
client's request carries its file descriptors (``SCM_RIGHTS``) with its first bytes;
every other message carries none. Stdlib only: the client imports this.
"""

from __future__ import annotations

import array
import json
import socket
import struct
from typing import Any

__all__ = ["MAX_FDS", "Channel", "WireError"]

_HEADER = struct.Struct("!I")
_MAX_MESSAGE = 64 * 1024 * 1024
MAX_FDS = 250
"""At most this many descriptors travel with a request (the kernel's limit is 253)."""


class WireError(Exception):
    """The other side sent something that is not a message, or went away mid-message."""


class Channel:
    """One end of a connection: send and receive messages, fds with the first one.

    Args:
        sock: A connected ``AF_UNIX`` stream socket.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""
        self._fds: list[int] = []

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        """Send one message, with ``fds`` (at most :data:`MAX_FDS`) if given."""
        data = json.dumps(message, separators=(",", ":")).encode("utf-8")
        payload = _HEADER.pack(len(data)) + data
        if fds:
            rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
            sent = self.sock.sendmsg([payload[:1]], rights)
            payload = payload[sent:]
        self.sock.sendall(payload)

    def receive(self) -> tuple[dict[str, Any] | None, list[int]]:
        """Return the next message and the fds that came with it; None at a clean end.

        Raises:
            WireError: The stream ended mid-message or held no JSON object.
        """
        while len(self._buffer) < _HEADER.size:
            if not self._read():
                if self._buffer:
                    raise WireError("the connection ended mid-message")
                return None, self._take_fds()
        (length,) = _HEADER.unpack(self._buffer[: _HEADER.size])
        if length > _MAX_MESSAGE:
            raise WireError(f"a message of {length} bytes is too long")
        while len(self._buffer) < _HEADER.size + length:
            if not self._read():
                raise WireError("the connection ended mid-message")
        data = self._buffer[_HEADER.size : _HEADER.size + length]
        self._buffer = self._buffer[_HEADER.size + length :]
        try:
            message = json.loads(data)
        except ValueError as exc:
            raise WireError(f"not JSON: {exc}") from exc
        if not isinstance(message, dict):
            raise WireError("not a JSON object")
        return message, self._take_fds()

    def _read(self) -> bool:
        data, ancillary, _flags, _addr = self.sock.recvmsg(
            65536, socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)
        )
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
                self._fds.extend(fds)
        self._buffer += data
        return bool(data)

    def _take_fds(self) -> list[int]:
        fds, self._fds = self._fds, []
        return fds

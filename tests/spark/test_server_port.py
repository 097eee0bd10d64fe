"""The port a new local server gets: the configured one, also just after a stop."""

from __future__ import annotations

import socket

import pytest

from dwh.spark.server import PORT_OPT, _detached_launcher


def _port_in_time_wait() -> int:
    """A port a listener just closed, with its accepted connection left in TIME_WAIT."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the JVM's is
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = int(listener.getsockname()[1])
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first, as a stopped server's does
    client.recv(1)
    client.close()
    listener.close()
    return port


def _launcher(port: int) -> object:
    launcher = object.__new__(_detached_launcher())
    launcher._opts = {PORT_OPT: port}  # type: ignore[attr-defined]
    return launcher


def test_the_configured_port_is_kept_while_a_stopped_servers_connections_linger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARK_TESTING", raising=False)
    port = _port_in_time_wait()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("localhost", port))  # what pyspark's own check does: "taken"

    assert _launcher(port)._pick_port() == port  # type: ignore[attr-defined]


def test_a_port_another_process_listens_on_gives_a_free_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SPARK_TESTING", raising=False)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])

        picked = _launcher(port)._pick_port()  # type: ignore[attr-defined]

    assert picked != port and picked > 0

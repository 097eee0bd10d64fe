"""The warm server's memory ceiling, ``DWH_SPARK_MAX_MEMORY``: how it reads; no JVM."""

from __future__ import annotations

import socket

import pytest

from dwh.errors import UsageError
from dwh.spark.recycle import connected_clients, max_memory_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", 3 * 2**30),
        ("3g", 3 * 2**30),
        ("2500m", 2500 * 2**20),
        ("1.5GiB", int(1.5 * 2**30)),
        ("4096", 4096),
        ("off", None),
        ("OFF", None),
    ],
)
def test_the_ceiling_reads_sizes_and_off(
    value: str, expected: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_SPARK_MAX_MEMORY", value)
    assert max_memory_bytes() == expected


@pytest.mark.parametrize("value", ["lots", "3x", "-1g", "0.0g"])
def test_a_bad_ceiling_is_one_line_naming_the_variable(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_SPARK_MAX_MEMORY", value)
    with pytest.raises(UsageError) as raised:
        max_memory_bytes()
    message = str(raised.value)
    assert "DWH_SPARK_MAX_MEMORY" in message and "off" in message and "\n" not in message


def test_a_connected_client_makes_the_server_busy() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert connected_clients(port) == 0
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = server.accept()
            with accepted:
                assert connected_clients(port) == 1

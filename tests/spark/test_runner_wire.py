"""The warm runner's wire and the CLI's hand-off test, without a server (no JVM)."""

from __future__ import annotations

import os
import socket

import pytest

from dwh.cli import _is_warm_run
from dwh.spark._runner_wire import Channel, WireError


def test_messages_and_descriptors_cross_the_socket() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    read_end, write_end = os.pipe()
    try:
        big = {"argv": ["x" * 200_000], "env": {"A": "1"}}
        Channel(left).send(big, [write_end])
        Channel(left).send({"exit": 3})
        receiver = Channel(right)

        first, fds = receiver.receive()
        second, none = receiver.receive()
        assert first == big and second == {"exit": 3} and none == []
        assert len(fds) == 1
        os.write(fds[0], b"through the socket")
        os.close(fds[0])
        assert os.read(read_end, 100) == b"through the socket"
        left.close()
        assert receiver.receive() == (None, [])
    finally:
        for fd in (read_end, write_end):
            os.close(fd)
        right.close()


def test_a_cut_message_is_an_error() -> None:
    left, right = socket.socketpair()
    left.sendall(b"\x00\x00\x01\x00{")
    left.close()
    with pytest.raises(WireError, match="mid-message"):
        Channel(right).receive()
    right.close()


@pytest.mark.parametrize(
    ("args", "handed"),
    [
        (["run", "noop", "--config", "{}", "--warm"], True),
        (["--debug", "run", "noop", "-c", "{}", "--warm"], True),
        (["run", "noop", "--config", "{}"], False),
        (["run", "noop", "--warm", "--help"], False),
        (["run", "noop", "--warm", "--spark-remote", "sc://h:1"], False),
        (["list", "--warm"], False),
        (["run", "noop", "--", "--warm"], False),
        ([], False),
    ],
)
def test_which_command_lines_the_cli_offers_the_runner(args: list[str], handed: bool) -> None:
    assert _is_warm_run(args) is handed

"""Reading a child's streams: lines, cut lines, event lines and bad ones."""

from __future__ import annotations

import asyncio

from dwh.events import Event
from dwh.launch import StreamProblem, read_event_line
from dwh.launch._async import read_lines
from dwh.launch._stream import CUT_MARK, LineSplitter


def test_chunks_become_lines() -> None:
    splitter = LineSplitter()

    assert splitter.feed(b"one\ntw") == ["one"]
    assert splitter.feed(b"o\r\nthree") == ["two"]
    assert splitter.end() == ["three"]


def test_a_huge_line_is_cut_once_and_the_stream_goes_on() -> None:
    splitter = LineSplitter(limit=10)

    first = splitter.feed(b"x" * 25)
    rest = splitter.feed(b"yyy\nnext\n")

    assert first == ["x" * 10 + CUT_MARK]
    assert rest == ["next"]
    assert splitter.end() == []


def test_bad_utf8_is_replaced_not_an_error() -> None:
    assert LineSplitter().feed(b"caf\xff\n") == ["caf\ufffd"]


def test_event_lines() -> None:
    event = Event("job_started", job="noop", run_id="r", payload={"config": {}})

    assert read_event_line(event.to_json()) == event
    assert read_event_line("   ") is None
    problem = read_event_line('{"event": "job_started"}')
    assert isinstance(problem, StreamProblem)
    assert problem.reason.startswith("not an event: KeyError")


async def test_the_async_face_reads_the_same_lines() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(b"one\ntw")
    reader.feed_data(b"o\r\nthree")
    reader.feed_eof()

    assert [line async for line in read_lines(reader)] == ["one", "two", "three"]

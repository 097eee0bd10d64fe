"""A warm backfill's dates share server-side sessions: one per parallel slot.

The Spark tier (``test_backfill_spark.py``) checks that the shared sessions write, row
for row, what the dates run one by one write; these tests check the remotes.
"""

from __future__ import annotations

import threading

import pytest

from dwh.backfill._engine import SharedSessions
from dwh.spark.remote import remote_session_id, with_session_id


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("sc://localhost:15002/;session_id=abc", "abc"),
        ("sc://h:1/;token=t;session_id=abc;user_id=u", "abc"),
        ("sc://localhost:15002", None),
        ("sc://localhost:15002/;token=t", None),
        ("sc://localhost:15002/;session_id=", None),
        ("local[*]", None),
        (None, None),
    ],
)
def test_the_session_a_remote_names(remote: str | None, expected: str | None) -> None:
    assert remote_session_id(remote) == expected


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("sc://localhost:15002", "sc://localhost:15002/;session_id=S"),
        ("sc://localhost:15002/", "sc://localhost:15002/;session_id=S"),
        ("sc://h:1/;token=t", "sc://h:1/;token=t;session_id=S"),
        ("sc://h:1/;session_id=other", "sc://h:1/;session_id=other"),
        ("local[*]", "local[*]"),
    ],
)
def test_a_remote_naming_a_session(remote: str, expected: str) -> None:
    assert with_session_id(remote, "S") == expected


def test_one_session_per_slot_each_lent_to_one_date_at_a_time() -> None:
    sessions = SharedSessions("sc://localhost:15002", slots=2)

    ids = {remote_session_id(remote) for remote in sessions.remotes}
    assert len(ids) == 2 and None not in ids
    with sessions.session() as first, sessions.session() as second:
        assert first != second
        lent_third = threading.Event()

        def third_date() -> None:
            with sessions.session():
                lent_third.set()

        waiting = threading.Thread(target=third_date)
        waiting.start()
        assert not lent_third.wait(0.2)  # both slots are busy
    waiting.join(5)
    assert lent_third.is_set()


def test_a_local_remote_names_no_session_and_releases_nothing() -> None:
    sessions = SharedSessions("local[*]", slots=1)

    with sessions.session() as remote:
        assert remote == "local[*]"
    assert sessions.release() is None  # no process: there is no session to end

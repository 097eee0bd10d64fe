"""Spare warm sessions: which server they belong to, and that one run claims each.

Real files under a private discovery folder; no server and no JVM. The Spark tier
(``test_warm_spares.py``) checks that warm runs prepare and claim them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from dwh.spark._discovery import DISCOVERY_ENV
from dwh.spark.prewarm import (
    MAX_SPARE_AGE_S,
    claim,
    prewarm_dir,
    record_spare,
    spare_ready,
    start_prewarm,
)
from dwh.spark.remote import remote_session_id

PORT = 15999
SERVER_PID = 4242
REMOTE = f"sc://localhost:{PORT}"


@pytest.fixture(autouse=True)
def recorded_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A discovery file recording a local server on PORT with pid SERVER_PID."""
    discovery = tmp_path / "spark" / "connect-local.json"
    discovery.parent.mkdir()
    discovery.write_text(
        json.dumps(
            {"host": "localhost", "port": PORT, "token": "t", "pid": SERVER_PID,
             "spark_version": "4.3.0"}
        )
    )  # fmt: skip
    monkeypatch.setenv(DISCOVERY_ENV, str(discovery))
    monkeypatch.delenv("DWH_SPARK_PREWARM", raising=False)
    return discovery


def test_a_spare_is_claimed_once() -> None:
    assert not spare_ready(REMOTE)
    record_spare("s-1", SERVER_PID)
    assert spare_ready(REMOTE)

    claimed = claim(REMOTE)

    assert claimed == f"{REMOTE}/;session_id=s-1"
    assert remote_session_id(claimed) == "s-1"
    assert list(prewarm_dir().iterdir()) == []
    assert claim(REMOTE) is None
    assert not spare_ready(REMOTE)


def test_a_spare_old_enough_to_have_timed_out_is_dropped() -> None:
    path = record_spare("old", SERVER_PID)
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "ready_at": time.time() - MAX_SPARE_AGE_S - 1}))

    assert claim(REMOTE) is None
    assert list(prewarm_dir().iterdir()) == []


def test_a_spare_of_another_server_process_is_dropped() -> None:
    record_spare("old", SERVER_PID - 1)

    assert claim(REMOTE) is None
    assert list(prewarm_dir().iterdir()) == []


@pytest.mark.parametrize(
    "remote",
    [f"sc://localhost:{PORT + 1}", f"sc://db.example.com:{PORT}", "local[*]"],
)
def test_only_the_recorded_local_server_gets_spares(remote: str) -> None:
    record_spare("s-1", SERVER_PID)

    assert claim(remote) is None
    assert start_prewarm(remote) is None
    assert [p.name for p in prewarm_dir().iterdir()] == ["s-1.json"]  # left for its server


def test_with_a_spare_ready_no_other_is_prepared() -> None:
    record_spare("s-1", SERVER_PID)

    assert start_prewarm(REMOTE) is None


def test_turned_off_nothing_is_claimed_or_prepared(monkeypatch: pytest.MonkeyPatch) -> None:
    record_spare("s-1", SERVER_PID)
    monkeypatch.setenv("DWH_SPARK_PREWARM", "off")

    assert claim(REMOTE) is None
    assert start_prewarm(REMOTE) is None

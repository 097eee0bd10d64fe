"""Past ``DWH_SPARK_MAX_MEMORY`` the warm server restarts, at an idle moment only.

A tiny ceiling (1 MiB) makes every release find the server past it. A warm run that
ends while another is held mid-step must leave the server alone; the held run's own
release, with nothing else connected, restarts it, says so in one line, and the next
warm run works on the new server. One test on the suite's private server: it leaves a
new server behind, on the same port, which the suite's teardown stops by pid.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from warm_support import (
    ServerLog,
    dwh_run,
    held_run,
    metrics_of,
    probe_package,
    read_events,
    settle_spare,
)

from dwh.processes import pid_alive, wait_gone
from dwh.spark.server import ServerStatus, server_status

pytestmark = pytest.mark.spark

RESTART_LINE = re.compile(
    r"dwh: the Spark server holds \d+\.\d GiB, past its DWH_SPARK_MAX_MEMORY ceiling of "
    r"0\.0 GiB: restarting it now that it is idle"
)


def test_past_the_ceiling_the_server_restarts_when_idle_and_never_under_a_run(
    warm_server: ServerStatus, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    root, env = probe_package(tmp_path_factory)
    tiny = {**env, "DWH_SPARK_MAX_MEMORY": "1m"}
    old = warm_server.pid
    assert old is not None
    log = ServerLog()
    with held_run(root, tiny, tmp_path) as held:
        busy = dwh_run(
            "probe", {"mode": "code", "output_path": str(tmp_path / "busy")},
            env=tiny, events=tmp_path / "busy.jsonl",
        )  # fmt: skip
        assert busy.returncode == 0, busy.stderr
        assert "DWH_SPARK_MAX_MEMORY" not in busy.stderr  # another run was connected
        assert server_status().pid == old
        assert held.process.poll() is None and all(pid_alive(pid) for pid in held.workers)
        settle_spare()  # a spare being prepared is a client too
        stderr = held.finish()  # its release finds the server idle

    said = [line for line in stderr.splitlines() if "DWH_SPARK_MAX_MEMORY" in line]
    assert len(said) == 1 and RESTART_LINE.fullmatch(said[0]), stderr
    assert wait_gone(old, 120), "the idle server past its ceiling was not stopped"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status = server_status()
        if status.running and status.pid not in (None, old):
            break
        time.sleep(0.5)
    assert status.running and status.pid != old and status.url == warm_server.url
    assert log.errors() == []  # the old server's lines, shutdown included

    after = dwh_run(
        "probe", {"mode": "code", "output_path": str(tmp_path / "after")},
        env={**env, "DWH_SPARK_MAX_MEMORY": "off"}, events=tmp_path / "after.jsonl",
    )  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert metrics_of(read_events(tmp_path / "after.jsonl"))["driver"] == str(tmp_path)
    assert server_status().pid == status.pid

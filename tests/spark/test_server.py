"""``dwh spark start | status | stop`` and the server's discovery rules."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dwh.cli.app import cli
from dwh.processes import pid_alive
from dwh.settings import warm_runner_enabled
from dwh.spark._discovery import DISCOVERY_ENV, read_recorded
from dwh.spark.server import (
    ServerStatus,
    ensure_server,
    installed_spark_version,
    server_status,
    stop_server,
)

STATUS_KEYS = {"running", "url", "pid", "spark_version", "uptime_s", "python_workers", "memory",
               "runner"}  # fmt: skip
NO_RUNNER = {"running": False, "enabled": True, "pid": None, "uptime_s": None, "imports": None,
             "runs": None, "server_pid": None}  # fmt: skip

# A stand-in for a server of another Spark version: a process whose command line names
# the Connect server class, listening on a port, until it is sent SIGTERM.
FAKE_SERVER = """
import socket, sys, time
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen()
print(sock.getsockname()[1], flush=True)
time.sleep(600)
"""


def _plant(path: Path, *, port: int, pid: int, version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"host": "localhost", "port": port, "token": "t", "pid": pid, "spark_version": version}
    path.write_text(json.dumps(record))


def test_status_and_stop_without_a_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISCOVERY_ENV, str(tmp_path / "connect-local.json"))
    runner = CliRunner()

    status = runner.invoke(cli, ["spark", "status", "--json"])
    stop = runner.invoke(cli, ["spark", "stop"])
    plain = runner.invoke(cli, ["spark", "status"])

    assert status.exit_code == 0
    no_runner = NO_RUNNER | {"enabled": warm_runner_enabled()}  # DWH_WARM_RUNNER
    assert json.loads(status.stdout) == dict.fromkeys(STATUS_KEYS, None) | {
        "running": False, "runner": no_runner}  # fmt: skip
    assert stop.exit_code == 0
    assert "no Spark server was running" in stop.stderr
    assert "not running" in plain.stdout


def test_a_stale_discovery_file_reads_as_no_server_and_stop_clears_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "connect-local.json"
    monkeypatch.setenv(DISCOVERY_ENV, str(path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    _plant(path, port=1, pid=int(dead.stdout), version=installed_spark_version())

    assert server_status() == ServerStatus(running=False)
    result = CliRunner().invoke(cli, ["spark", "stop"])

    assert result.exit_code == 0
    assert not path.exists()


@pytest.mark.spark
def test_a_server_of_another_version_is_replaced_then_reported(warm_dir: Path) -> None:
    # A real server an earlier test left must go first: it holds the port the new one
    # should get, and the planted record below would hide it.
    stop_server()
    fake = subprocess.Popen(
        [
            sys.executable,
            "-c",
            FAKE_SERVER,
            "org.apache.spark.sql.connect.service.SparkConnectServer",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert fake.stdout is not None
        port = int(fake.stdout.readline())
        _plant(warm_dir / "connect-local.json", port=port, pid=fake.pid, version="3.5.0")
        assert server_status().running is False

        started = ensure_server()

        assert fake.wait(timeout=30) == -signal.SIGTERM
        assert started.started and started.running
        assert started.spark_version == installed_spark_version()
        assert started.url == f"sc://localhost:{os.environ['DWH_SPARK_PORT']}"
        recorded = read_recorded(warm_dir / "connect-local.json")
        assert recorded is not None and recorded.pid == started.pid
        # Out of this process group: a Ctrl+C of the run that started it must not reach it.
        assert os.getpgid(started.pid) != os.getpgid(0)
    finally:
        if fake.poll() is None:
            fake.kill()
            fake.wait()

    runner = CliRunner()
    again = runner.invoke(cli, ["spark", "start"])
    status = runner.invoke(cli, ["spark", "status", "--json"])
    plain = runner.invoke(cli, ["spark", "status"])

    assert again.exit_code == 0
    assert f"already running at {started.url} (pid {started.pid})" in again.stderr
    reported = json.loads(status.stdout)
    assert set(reported) == STATUS_KEYS
    assert reported["running"] is True and reported["pid"] == started.pid
    assert reported["url"] == started.url and reported["uptime_s"] >= 0
    assert reported["memory"]["tree_pss"] >= reported["memory"]["jvm_pss"] > 0
    assert "MiB PSS in all" in plain.stdout and started.url in plain.stdout
    assert "spare session" in plain.stdout  # ready, or being prepared since `start`
    assert pid_alive(started.pid)


def test_status_is_light() -> None:
    code = (
        "import sys, dwh.spark; dwh.spark.server_status(); "
        "print(any(m == 'pyspark' or m.startswith('pyspark.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, DISCOVERY_ENV: os.devnull},
    )
    assert result.stdout.strip() == "False"


def test_warm_refuses_spark_remote_and_an_invalid_config_starts_no_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "connect-local.json"
    monkeypatch.setenv(DISCOVERY_ENV, str(path))
    runner = CliRunner()

    both = ["run", "noop", "--config", "{}", "--warm", "--spark-remote", "sc://x:1"]
    follow = runner.invoke(cli, both)
    invalid = runner.invoke(cli, ["run", "transform_images", "--config", '{"raw": 1}', "--warm"])

    assert follow.exit_code == 2
    assert "--warm cannot be combined with --spark-remote" in follow.stderr
    assert invalid.exit_code == 2
    assert "invalid config for job 'transform_images'" in invalid.stderr
    assert not path.exists()

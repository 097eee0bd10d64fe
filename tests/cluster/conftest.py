"""A real Spark standalone cluster on 127.0.0.1: one master, one worker, separate JVMs.

Both are started with ``spark-class`` in their own session (``setsid``) on free ports,
and stopped by process-group id when the tests end, passed or failed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# The pip package's own Spark distribution; found without importing pyspark.
SPARK_HOME = Path(next(iter(importlib.util.find_spec("pyspark").submodule_search_locations)))
SPARK_CLASS = SPARK_HOME / "bin" / "spark-class"
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Cluster:
    """A running standalone cluster.

    Attributes:
        url: The master URL, ``spark://127.0.0.1:<port>``.
        master_ui: The master's web UI, whose ``/json`` lists workers and applications.
        worker_dir: The worker's work folder: one sub-folder per application it ran.
        logs: Where the master's and worker's output go.
    """

    url: str
    master_ui: str
    worker_dir: Path
    logs: Path

    def env(self) -> dict[str, str]:
        """An environment for Spark processes: no inherited Spark or Python path settings."""
        return spark_env(self.logs)

    def state(self) -> dict[str, object]:
        """The master's view of the cluster (workers, applications)."""
        with urllib.request.urlopen(f"{self.master_ui}/json/", timeout=5) as response:
            data: dict[str, object] = json.load(response)
            return data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spark_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK", "SPARK_"))}
    env.pop("PYTHONPATH", None)
    env["SPARK_HOME"] = str(SPARK_HOME)
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    env["SPARK_LOCAL_DIRS"] = str(tmp / "local")
    return env


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process and everything in its session, by its pid."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def standalone_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Start a master and a 2-core worker; stop both by pid however the tests end."""
    tmp = tmp_path_factory.mktemp("cluster")
    env = spark_env(tmp)
    port, master_ui_port, worker_ui_port = free_port(), free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    cluster = Cluster(url, f"http://127.0.0.1:{master_ui_port}", tmp / "work", tmp)
    cluster.worker_dir.mkdir()
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(
            _start(
                [
                    str(SPARK_CLASS),
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--webui-port",
                    str(master_ui_port),
                ],
                tmp / "master.log",
                env,
            )
        )
        started.append(
            _start(
                [
                    str(SPARK_CLASS),
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    "2",
                    "--memory",
                    "2g",
                    "--webui-port",
                    str(worker_ui_port),
                    "--work-dir",
                    str(cluster.worker_dir),
                    url,
                ],
                tmp / "worker.log",
                env,
            )
        )
        _wait_for_worker(cluster, started)
        yield cluster
    finally:
        for proc in reversed(started):
            _stop(proc)


def _wait_for_worker(cluster: Cluster, started: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for proc in started:
            if proc.poll() is not None:
                logs = "\n".join(p.read_text()[-2000:] for p in cluster.logs.glob("*.log"))
                pytest.fail(f"a Spark daemon exited with {proc.returncode}:\n{logs}")
        try:
            workers = cluster.state().get("workers", [])
        except OSError:
            workers = []
        if isinstance(workers, list) and any(w.get("state") == "ALIVE" for w in workers):
            return
        time.sleep(1)
    pytest.fail(f"no worker registered with {cluster.url} within {START_TIMEOUT:.0f}s")

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
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# The pip package's own Spark distribution; found without importing pyspark.
SPARK_HOME = Path(next(iter(importlib.util.find_spec("pyspark").submodule_search_locations)))
SPARK_CLASS = SPARK_HOME / "bin" / "spark-class"
REPO = Path(__file__).resolve().parents[2]
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

    def submit_command(
        self,
        entry: Path,
        args: list[str],
        *,
        python: Path,
        py_files: Path,
        work: Path,
        conf: dict[str, str],
    ) -> tuple[list[str], dict[str, str]]:
        """``spark-submit`` of ``entry`` to this cluster the way Glue runs it, and its env.

        The driver and the executors run ``python``; the run store goes under ``work``.
        ``conf`` adds to (or overrides) the settings every cluster test uses.
        """
        env = self.env()
        env.update(PYSPARK_PYTHON=str(python), PYSPARK_DRIVER_PYTHON=str(python))
        env["DWH_HOME"] = str(work / ".dwh")
        settings = {
            "spark.ui.enabled": "false",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.shuffle.partitions": "4",
            **conf,
        }
        command = [str(SPARK_HOME / "bin" / "spark-submit"), "--master", self.url]
        command += ["--py-files", str(py_files)]
        for key, value in settings.items():
            command += ["--conf", f"{key}={value}"]
        return [*command, str(entry), *args], env

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


def master_command(port: int, ui_port: int) -> list[str]:
    """``spark-class`` starting a standalone master on 127.0.0.1."""
    master = "org.apache.spark.deploy.master.Master"
    ports = ["--port", str(port), "--webui-port", str(ui_port)]
    return [str(SPARK_CLASS), master, "--host", "127.0.0.1", *ports]


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
        started.append(_start(master_command(port, master_ui_port), tmp / "master.log", env))
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


def _wait_for_worker(
    cluster: Cluster, started: list[subprocess.Popen[bytes]], count: int = 1
) -> None:
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
        alive = (
            [w for w in workers if w.get("state") == "ALIVE"] if isinstance(workers, list) else []
        )
        if len(alive) >= count:
            return
        time.sleep(1)
    pytest.fail(f"fewer than {count} workers registered with {cluster.url} in {START_TIMEOUT:.0f}s")


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``dwh package`` into a scratch dist folder: ``{"wheel": ..., "zip": ...}``."""
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [str(Path(sys.executable).parent / "dwh"), "package", "--dist", str(dist), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    report = json.loads(built.stdout)
    return {"wheel": Path(report["wheel"]), "zip": Path(report["zip"])}


@pytest.fixture(scope="session")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with this venv's third-party packages that cannot import the repository.

    A venv whose site-packages names this venv's in a ``.pth`` line: that adds the
    folder to ``sys.path`` without processing the ``.pth`` files in it, so the editable
    install of dwh is invisible and job code can come only from an artifact.
    """
    venv = tmp_path_factory.mktemp("python")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "dwh_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = venv / "bin" / "python"
    probe = subprocess.run(
        [str(python), "-c", "import pyspark, pyarrow, pandas, pydantic\nimport dwh"],
        capture_output=True,
        text=True,
        cwd=venv,
        env=spark_env(venv),  # as the cluster runs it: no PYTHONPATH from the caller
        check=False,
    )
    assert "No module named 'dwh'" in probe.stderr, "this Python must not see the repository"
    return python


@dataclass(frozen=True)
class ConnectServer:
    """A running Spark Connect server.

    Attributes:
        url: ``sc://127.0.0.1:<port>``.
        log: The server's output.
    """

    url: str
    log: Path


@pytest.fixture(scope="session")
def connect_server(
    tmp_path_factory: pytest.TempPathFactory, artifacts: dict[str, Path], clean_python: Path
) -> Iterator[ConnectServer]:
    """A Spark Connect server on 127.0.0.1 (local[2]); stopped by pid however tests end.

    Its Python workers run the clean Python with the ``--py-files`` zip on their path, so
    the job code the server executes (the parse step) comes from the artifact too.
    """
    tmp = tmp_path_factory.mktemp("connect")
    env = spark_env(tmp)
    env["PYSPARK_PYTHON"] = str(clean_python)
    # The server is a JVM application, so --py-files does not reach its Python workers;
    # they inherit the server's PYTHONPATH instead.
    env["PYTHONPATH"] = str(artifacts["zip"])
    port = free_port()
    command = [
        str(SPARK_HOME / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[2]",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.driver.host=127.0.0.1",
        "--conf",
        "spark.driver.bindAddress=127.0.0.1",
        "--conf",
        "spark.sql.shuffle.partitions=4",
    ]
    log = tmp / "server.log"
    proc = _start(command, log, env)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "Spark Connect server started" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the Spark Connect server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(1)
        yield ConnectServer(f"sc://127.0.0.1:{port}", log)
    finally:
        _stop(proc)


@dataclass(frozen=True)
class Worker:
    """One worker daemon of a cluster the test may break.

    Attributes:
        proc: The worker JVM, the leader of its own process group (and session).
        url: The worker's RPC address, ``spark://Worker@127.0.0.1:<port>``; each
            executor it launches names it in its command line (``--worker-url``).
        work_dir: Its work folder: ``app-*/<executor id>/stderr`` per executor.
    """

    proc: subprocess.Popen[bytes]
    url: str
    work_dir: Path


@dataclass(frozen=True)
class FaultCluster:
    """A master and three 1-core workers, separate from the shared cluster.

    Attributes:
        cluster: The master's URL, UI and logs (``worker_dir`` is the first worker's).
        workers: The workers, in start order.
    """

    cluster: Cluster
    workers: tuple[Worker, ...]


@pytest.fixture(scope="module")
def fault_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultCluster]:
    """Start a master and three workers (1 core, 1g each) for a test that kills workers.

    An application of two cores runs on two of them; the third stands by, so each
    lost worker can be replaced and one survives two losses. Its own master, so the
    shared cluster's application list stays as other tests expect. Everything is
    stopped by process group however the test ends.
    """
    tmp = tmp_path_factory.mktemp("fault-cluster")
    env = spark_env(tmp)
    port, master_ui_port = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    started: list[subprocess.Popen[bytes]] = []
    workers: list[Worker] = []
    try:
        started.append(_start(master_command(port, master_ui_port), tmp / "master.log", env))
        for n in (1, 2, 3):
            work_dir = tmp / f"work{n}"
            work_dir.mkdir()
            worker_port = free_port()
            proc = _start(
                [
                    str(SPARK_CLASS),
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(worker_port),
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--webui-port",
                    str(free_port()),
                    "--work-dir",
                    str(work_dir),
                    url,
                ],
                tmp / f"worker{n}.log",
                env,
            )
            started.append(proc)
            workers.append(Worker(proc, f"spark://Worker@127.0.0.1:{worker_port}", work_dir))
        cluster = Cluster(url, f"http://127.0.0.1:{master_ui_port}", workers[0].work_dir, tmp)
        _wait_for_worker(cluster, started, count=len(workers))
        yield FaultCluster(cluster, tuple(workers))
    finally:
        for proc in reversed(started):
            _stop(proc)

"""The warm runner: warm runs forked from a pre-imported process, and its faults.

Every test uses the suite's private server (``warm_server``), whose fixture also starts
the runner beside it; a test that replaces or kills the runner leaves the next test's
fixture to start a fresh one. The runner's record says how many runs it forked, which is
how a test knows a run went through it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warm_support import (
    DWH,
    WORKTREE,
    dwh_run,
    metrics_of,
    probe_package,
    read_events,
    set_marker_version,
    start_dwh_run,
)

from dwh.events import RunStatus
from dwh.launch import launch
from dwh.processes import pid_alive
from dwh.runs.store import RunStore
from dwh.spark.runner import (
    RunnerStatus,
    read_record,
    runner_dir,
    runner_status,
    socket_path,
    start_runner,
    stop_runner,
)
from dwh.spark.server import ServerStatus

pytestmark = pytest.mark.spark

_JOB_CONTRACT = {"dwh.jobs", "dwh.jobs.abstract_job", "dwh.jobs.abstract_job_factory",
                 "dwh.jobs.run_options"}  # fmt: skip


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The probe job package and the environment to run it in."""
    return probe_package(tmp_path_factory)


@pytest.fixture
def runner(warm_server: ServerStatus) -> RunnerStatus:
    """The serving runner (the ``warm_server`` fixture started it)."""
    status = runner_status()
    assert status.running, (runner_dir() / "runner.log").read_text()
    return status


def forked() -> int:
    """How many runs the current runner has forked."""
    return int((read_record() or {}).get("runs", -1))


def wait_for_new_runner(old: int | None, timeout: float = 180) -> RunnerStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = runner_status()
        if status.running and status.pid != old:
            return status
        time.sleep(0.2)
    raise AssertionError(f"no new runner: {(runner_dir() / 'runner.log').read_text()}")


def test_the_runner_holds_the_run_path_and_no_job_module(runner: RunnerStatus) -> None:
    modules = set(json.loads((runner_dir() / "modules.json").read_text()))

    jobs = {m for m in modules if m.startswith("dwh.jobs") and m not in _JOB_CONTRACT}
    assert jobs == set()
    assert not any(m.startswith("warmjobs") for m in modules)
    for held in ("dwh.entry", "dwh.cli.run", "click", "pydantic", "pandas", "pyarrow",
                 "pyspark.sql.connect.session", "pyspark.sql.connect.client.core"):  # fmt: skip
        assert held in modules
    assert runner.imports == len(modules) > 500
    # No Python thread, and no gRPC thread: only numpy's BLAS and pyarrow's jemalloc.
    tasks = Path(f"/proc/{runner.pid}/task")
    names = {(task / "comm").read_text().strip() for task in tasks.iterdir()}
    assert names <= {"python", "jemalloc_bg_thd"}, names


def test_the_socket_is_the_users_alone(
    runner: RunnerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    info = os.stat(socket_path())
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert info.st_uid == os.getuid()
    assert stat.S_IMODE(os.stat(runner_dir()).st_mode) == 0o700
    if os.getuid() == 0:  # another user can't even reach it
        assert _connect_as(65534) == "PermissionError"

    os.chmod(socket_path(), 0o666)  # a socket others could open is never used
    try:
        before = forked()
        result = dwh_run("noop", {"message": "hi"}, env=env, events=tmp_path / "e.jsonl")
    finally:
        os.chmod(socket_path(), 0o600)

    assert result.returncode == 0, result.stderr
    assert "is not this user's alone (mode 666" in result.stderr
    assert forked() == before


def _connect_as(uid: int) -> str:
    """Try to connect to the runner's socket as ``uid``, in a forked child."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgid(uid)
            os.setuid(uid)
            socket.socket(socket.AF_UNIX).connect(str(socket_path()))
            code = 0
        except PermissionError:
            code = 13
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return {0: "connected", 13: "PermissionError"}.get(os.waitstatus_to_exitcode(status), "?")


def test_runs_go_through_the_runner_and_a_job_edit_is_picked_up(
    runner: RunnerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = probe
    before = forked()
    seen = []
    for version in ("r1", "r2"):
        set_marker_version(root, version)
        events = tmp_path / f"{version}.jsonl"
        config = {"mode": "code", "output_path": str(tmp_path / "out")}
        result = dwh_run("probe", config, env=env, events=events)
        assert result.returncode == 0, result.stderr
        assert "warm runner" not in result.stderr
        seen.append(metrics_of(read_events(events)))

    assert [m["driver"] for m in seen] == ["r1", "r2"]
    assert [m["udf"] for m in seen] == [["r1"], ["r2"]]
    assert forked() == before + 2
    assert runner_status().pid == runner.pid


def test_a_launched_warm_run_goes_through_the_runner_unless_it_is_off(
    runner: RunnerStatus, warm_server: ServerStatus
) -> None:
    before = forked()
    on = launch("noop", {"message": "on"}, spark_remote=warm_server.url)
    off = launch("noop", {"message": "off"}, spark_remote=warm_server.url,
                 env={"DWH_WARM_RUNNER": "off"})  # fmt: skip

    assert on.status == off.status == RunStatus.SUCCEEDED
    assert on.metrics["message"] == "on" and off.metrics["message"] == "off"
    assert forked() == before + 1


def test_ctrl_c_cancels_the_forked_run_and_records_it_cancelled(
    runner: RunnerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    before = forked()
    events = tmp_path / "slow.jsonl"
    proc = start_dwh_run(
        "probe", {"mode": "slow", "output_path": str(tmp_path / "out")}, env=env, events=events
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
            events.exists() and "spark_progress" in events.read_text()
        ):
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert proc.returncode == 130, stderr
    assert "dwh: job 'probe' was cancelled" in stderr
    assert forked() == before + 1
    run_id = read_events(events)[0]["run_id"]
    store = RunStore(Path(env["DWH_HOME"]) / "runs.db", create=False)
    assert store.get(run_id).status == RunStatus.CANCELLED  # type: ignore[union-attr]


def test_a_killed_runner_falls_back_in_one_line_and_is_replaced(
    runner: RunnerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    _, env = probe
    assert runner.pid is not None
    os.kill(runner.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(runner.pid) and time.monotonic() < deadline:
        time.sleep(0.05)

    result = dwh_run("noop", {"message": "hi"}, env=env, events=tmp_path / "e.jsonl")

    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "warm runner" in line]
    assert lines == [
        f"dwh: warm runner: the runner (pid {runner.pid}) is gone; a new one is starting; "
        "this run starts without it"
    ]
    assert wait_for_new_runner(runner.pid).running


def test_an_edit_to_dwh_itself_replaces_the_runner_and_reaches_the_runs(
    runner: RunnerStatus, probe: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    root, env = probe
    src = tmp_path / "src"
    shutil.copytree(WORKTREE / "dwh", src / "dwh", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**env, "PYTHONPATH": os.pathsep.join([str(src), str(root)])}
    stop_runner()  # the suite's runner holds the worktree's dwh; this one holds the copy's
    subprocess.run(
        [sys.executable, "-c", "from dwh.spark.runner import start_runner; start_runner()"],
        env=env, check=True, timeout=180,
    )  # fmt: skip
    first = runner_status()
    try:
        entry = src / "dwh" / "entry.py"
        entry.write_text(entry.read_text().replace("' succeeded in ", "' succeeded (edited) in "))

        fallback = dwh_run("noop", {"message": "a"}, env=env, events=tmp_path / "a.jsonl")
        fresh = wait_for_new_runner(first.pid)
        through = dwh_run("noop", {"message": "b"}, env=env, events=tmp_path / "b.jsonl")
        after = runner_status()
    finally:
        stop_runner()  # the next test's fixture starts the suite's own again

    assert fallback.returncode == 0 and through.returncode == 0, fallback.stderr
    assert (
        "dwh: warm runner: it was out of date (dwh/entry.py changed); a fresh one is "
        "starting; this run starts without it"
    ) in fallback.stderr
    assert "succeeded (edited) in" in fallback.stderr
    assert "succeeded (edited) in" in through.stderr and "warm runner" not in through.stderr
    assert after.pid == fresh.pid != first.pid and after.runs == 1


def test_status_shows_the_runner_and_stop_stops_it(runner: RunnerStatus) -> None:
    shown = subprocess.run([DWH, "spark", "status", "--json"], capture_output=True, text=True)
    table = subprocess.run([DWH, "spark", "status"], capture_output=True, text=True)

    state = json.loads(shown.stdout)["runner"]
    assert state["running"] and state["pid"] == runner.pid and state["imports"] > 500
    assert f"pid {runner.pid}, up " in table.stdout and "modules imported" in table.stdout

    stopped = subprocess.run([DWH, "spark", "stop"], capture_output=True, text=True)

    assert "Spark server stopped" in stopped.stderr
    assert runner.pid is not None and not pid_alive(runner.pid)
    assert not socket_path().exists()
    assert start_runner(wait=False).running is False  # no server: nothing to serve
    assert runner_status().running is False

"""Warm runs in the TUI: ctrl+j runs on the local Spark server, ctrl+k runs cold.

The no-JVM tests inject a fake server (its state and its start) into the app's
services and replay a run; the ``spark`` test runs the ``crunch`` job through the real
launcher on the suite's private server (``warm_server``, tests/conftest.py).
"""

from __future__ import annotations

import threading

import pytest
from tui_helpers import SIZE, FrozenClock, ReplayLauncher, noop_events, open_job, wait_for

from dwh.errors import SparkServerError
from dwh.events import RunStatus
from dwh.launch import RunRequest, SubprocessLauncher
from dwh.spark.status import ServerStatus
from tui.spark_server import SparkServer
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole

PACKAGES = ("dwh.jobs", "tuijobs", "tuiwarmjobs")
URL = "sc://localhost:15999"


@pytest.fixture(autouse=True)
def _allow_the_warm_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry runs only modules of the allowed packages."""
    monkeypatch.setenv("DWH_JOB_PACKAGES", ",".join(PACKAGES))


class FakeServer:
    """A server the test switches on and off; counts the starts asked of it."""

    def __init__(self, running: bool = False, fail: str = "") -> None:
        self.running = running
        self.fail = fail
        self.starts = 0

    def status(self) -> ServerStatus:
        if not self.running:
            return ServerStatus(running=False)
        return ServerStatus(running=True, url=URL, pid=4242, spark_version="4.3.0")

    def start(self) -> ServerStatus:
        self.starts += 1
        if self.fail:
            raise SparkServerError(self.fail)
        self.running = True
        return self.status()

    def services(self) -> SparkServer:
        return SparkServer(status=self.status, start=self.start)


class RecordingLauncher:
    """The real subprocess launcher, keeping the requests it was given."""

    def __init__(self) -> None:
        self.inner = SubprocessLauncher()
        self.requests: list[RunRequest] = []

    async def launch(self, request: RunRequest):
        self.requests.append(request)
        return await self.inner.launch(request)


def _replay() -> ReplayLauncher:
    return ReplayLauncher(noop_events("run-0001", job="crunch"), 0, FrozenClock(), seconds=1.0)


async def _run(pilot, job: str, key: str, config: str | None = None) -> RunConsole:
    await open_job(pilot, job)
    if config is not None:
        pilot.app.screen.query_one(ConfigEditor).set_text(config)
        await pilot.pause()
    await pilot.press(key)
    console = pilot.app.screen.query_one(RunConsole)
    await wait_for(pilot, lambda: console.status not in ("idle", "starting", "running"), 120)
    return console


async def test_the_header_shows_the_server_state_and_follows_it(make_app) -> None:
    server = FakeServer()
    app = make_app(packages=PACKAGES, spark=server.services())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Spark server off" in app.screen.title)
        server.running = True
        await wait_for(pilot, lambda: f"Spark server at {URL}" in app.screen.title, 10)
        server.running = False
        await wait_for(pilot, lambda: "Spark server off" in app.screen.title, 10)


async def test_a_warm_run_without_a_server_starts_one_and_says_so(make_app) -> None:
    server, launcher = FakeServer(), _replay()
    app = make_app(packages=PACKAGES, spark=server.services(), launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        console = await _run(pilot, "crunch", "ctrl+j")
    assert console.status == RunStatus.SUCCEEDED
    assert server.starts == 1
    assert launcher.requests[0].spark_remote == URL
    notes = "\n".join(console.entries)
    assert "starting the local Spark server" in notes
    assert f"started at {URL} in " in notes
    assert f"warm run on {URL}" in notes


async def test_a_warm_run_reuses_a_running_server(make_app) -> None:
    server, launcher = FakeServer(running=True), _replay()
    app = make_app(packages=PACKAGES, spark=server.services(), launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        console = await _run(pilot, "crunch", "ctrl+j")
    assert server.starts == 0
    assert launcher.requests[0].spark_remote == URL
    assert not any("starting the local Spark server" in line for line in console.entries)


async def test_the_cold_key_runs_without_the_server(make_app) -> None:
    server, launcher = FakeServer(running=True), _replay()
    app = make_app(packages=PACKAGES, spark=server.services(), launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        console = await _run(pilot, "crunch", "ctrl+k")
    assert console.status == RunStatus.SUCCEEDED
    assert launcher.requests[0].spark_remote is None
    assert launcher.requests[0].has_spark is True
    assert not any("warm run" in line for line in console.entries)


async def test_a_job_without_spark_never_starts_a_server(make_app) -> None:
    server = FakeServer()
    launcher = ReplayLauncher(noop_events("run-0001"), 0, FrozenClock(), seconds=1.0)
    app = make_app(packages=PACKAGES, spark=server.services(), launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        await _run(pilot, "noop", "ctrl+j")
    assert server.starts == 0
    assert launcher.requests[0].spark_remote is None


async def test_a_server_that_will_not_start_is_a_failed_run_not_a_crash(make_app) -> None:
    server, launcher = FakeServer(fail="dwh spark start failed: no Java"), _replay()
    app = make_app(packages=PACKAGES, spark=server.services(), launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        console = await _run(pilot, "crunch", "ctrl+j")
        assert app.screen.check_action("run", ()) is True  # the next run may go
    assert console.status == RunStatus.FAILED
    assert "could not be started: dwh spark start failed: no Java" in console.message
    assert launcher.requests == []


async def test_the_cold_run_is_in_the_help_and_the_palette(make_app) -> None:
    app = make_app(packages=PACKAGES, spark=FakeServer().services())
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "crunch")
        titles = [title for title, *_ in app.screen.palette_commands()]
        assert "Run the current job cold" in titles
        await pilot.press("f1")
        await pilot.pause()
        assert any(row[1] == "dwh.run_cold" for row in app.screen.rows)


async def test_cancel_while_the_server_starts_ends_the_run_and_runs_nothing(make_app) -> None:
    release = threading.Event()
    server, launcher = FakeServer(), _replay()

    def slow_start() -> ServerStatus:
        release.wait(30)
        return server.start()

    spark = SparkServer(status=server.status, start=slow_start)
    app = make_app(packages=PACKAGES, spark=spark, launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "crunch")
        await pilot.press("ctrl+j")
        console = app.screen.query_one(RunConsole)
        starting = "starting the local Spark server ... (dwh spark start)"
        await wait_for(pilot, lambda: starting in console.entries)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: console.status == RunStatus.CANCELLED)
        assert app.screen.check_action("run", ()) is True
        release.set()
        await pilot.pause(0.3)
    assert launcher.requests == []
    assert "while the Spark server was starting" in console.message


@pytest.mark.spark
async def test_a_warm_run_on_a_real_server_shows_spark_progress(
    make_app, warm_server: ServerStatus
) -> None:
    launcher = RecordingLauncher()
    app = make_app(packages=PACKAGES, launcher=launcher)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: f"Spark server at {warm_server.url}" in app.screen.title)
        console = pilot.app.screen.query_one(RunConsole)
        await open_job(pilot, "crunch")
        app.screen.query_one(ConfigEditor).set_text('{"rows": 1000000, "partitions": 8}')
        await pilot.pause()
        await pilot.press("ctrl+j")
        bar = console.query_one("#run-progress")
        ended = ("starting", "running")
        await wait_for(pilot, lambda: bar.display or console.status not in ended, 120)
        assert bar.display, f"no progress bar: {console.status} {console.message}"
        await wait_for(pilot, lambda: console.status not in ("starting", "running"), 120)
    assert console.status == RunStatus.SUCCEEDED, console.message
    assert launcher.requests[0].spark_remote == warm_server.url
    assert f"warm run on {warm_server.url}" in console.entries
    payload = console.stage.payload if console.stage is not None else {}
    assert 0 <= payload["tasks_done"] <= payload["tasks_total"]

"""Helpers for the TUI tests: waiting on the app, fixed run ids and clocks, replayed runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from dwh.events import Event
from dwh.launch import LogLine, RunItem, RunRequest

SIZE = (120, 40)
FIXTURE_JOBS = Path(__file__).parent / "fixture_jobs"
TEST_PACKAGES = ("dwh.jobs", "tuijobs")
"""Holds ``tuijobs``: a working ``sample`` job and a ``broken`` one that cannot import."""
IMAGES_RUN = "20261125T183000Z-img001"
"""The ``transform_images`` run in the ``image_store`` fixture; it recorded ``outputs``."""
CHILD_RUN = "20261125T184000Z-down01"
"""The ``filter_images`` run that :data:`IMAGES_RUN` triggered, newer, no outputs."""


class Counter:
    """Makes run ids ``run-0001``, ``run-0002``... so tests can name them."""

    def __init__(self, prefix: str = "run") -> None:
        self.prefix = prefix
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"{self.prefix}-{self.count:04d}"


async def wait_for(pilot: Any, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)


async def wait_until_ready(pilot: Any) -> None:
    """Wait until the main screen has listed the jobs (snapshots start before that)."""
    from textual.widgets import Tree

    from tui.screens.main import MainScreen

    def ready() -> bool:
        screen = pilot.app.screen
        trees = screen.query("#job-tree").results(Tree)
        return isinstance(screen, MainScreen) and any(t.root.children for t in trees)

    await wait_for(pilot, ready)


async def open_job(pilot: Any, name: str) -> None:
    """Pick a job through the filter box and wait until its config is loaded."""
    app = pilot.app
    await wait_until_ready(pilot)
    await pilot.press("ctrl+f", *name, "enter")
    await wait_for(pilot, lambda: app.screen.detail is not None and app.screen.job.name == name)
    await pilot.pause()


async def steady(pilot: Any) -> None:
    """Stop every cursor blinking so a snapshot is the same every time."""
    from textual.widgets import TextArea

    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


class FrozenClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ReplayRun:
    """A finished run replayed from recorded events (for stable snapshots).

    With ``hold_after``, the replay stops after that many items until ``gate`` is set,
    so a test can look at the run while it is still going.
    """

    def __init__(
        self,
        items: list[RunItem],
        returncode: int,
        hold_after: int | None = None,
        gate: asyncio.Event | None = None,
    ) -> None:
        self._items = items
        self._returncode = returncode
        self._hold_after = hold_after
        self._gate = gate
        self.done = False

    async def items(self) -> AsyncIterator[RunItem]:
        for index, item in enumerate(self._items):
            if index == self._hold_after and self._gate is not None:
                await self._gate.wait()
            await asyncio.sleep(0)
            yield item
        self.done = True

    def terminate(self) -> None:
        self.done = True

    @property
    def returncode(self) -> int | None:
        return self._returncode if self.done else None


class ReplayLauncher:
    """Replays a fixed run whatever is asked, moving the clock to its end."""

    def __init__(
        self,
        items: list[RunItem],
        returncode: int,
        clock: FrozenClock,
        seconds: float,
        hold_after: int | None = None,
    ):
        self.items = items
        self.returncode = returncode
        self.clock = clock
        self.seconds = seconds
        self.hold_after = hold_after
        self.gate = asyncio.Event()
        self.requests: list[RunRequest] = []

    async def launch(self, request: RunRequest) -> ReplayRun:
        self.requests.append(request)
        self.clock.now += self.seconds
        return ReplayRun(self.items, self.returncode, self.hold_after, self.gate)


def spark_progress(run_id: str, stage: int, done: int, total: int, job: str = "noop") -> Event:
    """A ``spark_progress`` event of one stage."""
    return Event(
        "spark_progress",
        job=job,
        run_id=run_id,
        payload={
            "stage_id": stage,
            "tasks_done": done,
            "tasks_running": min(2, total - done),
            "tasks_total": total,
            "tasks_failed": 0,
        },
    )


def noop_events(
    run_id: str, *, fail: bool = False, job: str = "noop", minute: str = "2026-11-25T18:30"
) -> list[RunItem]:
    """The events of a noop-like run at fixed times, starting at ``minute``."""
    base = {"job": job, "run_id": run_id}
    config = {"message": "hello", "sleep_seconds": 1.0, "fail_with": "boom" if fail else None}
    items: list[RunItem] = [
        Event(
            "job_started",
            payload={"config": config, "config_hash": "65f36b1a899abc67"},
            at=f"{minute}:00.000Z",
            **base,
        ),
        LogLine("INFO SparkContext: Running Spark version 4.3.0"),
        Event(
            "phase_finished",
            payload={"phase": "extract", "rows": 1200, "seconds": 1.0},
            at=f"{minute}:01.004Z",
            **base,
        ),
        Event(
            "phase_finished",
            payload={"phase": "transform", "rows": 1180, "seconds": 1.0},
            at=f"{minute}:02.010Z",
            **base,
        ),
    ]
    if fail:
        items.append(
            Event(
                "job_failed",
                payload={
                    "error_type": "RuntimeError",
                    "error_message": "RuntimeError: boom",
                    "cancelled": False,
                },
                at=f"{minute}:03.020Z",
                **base,
            )
        )
        items.append(LogLine(f"dwh: job '{job}' failed: RuntimeError: boom"))
    else:
        items.append(
            Event(
                "phase_finished",
                payload={"phase": "load", "rows": 1180, "seconds": 1.0},
                at=f"{minute}:03.015Z",
                **base,
            )
        )
        items.append(
            Event(
                "job_succeeded",
                payload={
                    "metrics": {"message": "hello", "phases": 3},
                    "outputs": {"images": "out/images"},
                },
                at=f"{minute}:03.016Z",
                **base,
            )
        )
        items.append(LogLine(f"dwh: job '{job}' succeeded in 3.0s"))
    return items

"""Runs the TUI headless in its own process and prints one JSON line of timings.

``paint``: seconds from the parent's ``BENCH_T0`` (its clock just before starting this
process) to the job tree being populated, so the interpreter start is included.
``latency``: opens the ``noop`` job (0.2 s per phase), runs it through the generic entry (a real
subprocess), and reports, for each event, milliseconds from the job's ``at`` timestamp
(when the job wrote it) to the run console appending it to the lifecycle log.

``run``: opens a job, loads a config, presses ``ctrl+j`` (warm: the local Spark server)
or ``ctrl+k`` (cold), and reports the seconds from the key press to the run console
showing ``job_succeeded``.

Usage::

    BENCH_T0=$(date +%s.%N) python -m benchmarks.tui_probe paint
    python -m benchmarks.tui_probe latency
    python -m benchmarks.tui_probe run warm|cold JOB CONFIG_JSON
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import time

from textual.widgets import TextArea, Tree

from tui.app import DwhApp
from tui.widgets.run_console import RunConsole

SIZE = (120, 40)
PHASE_SECONDS = 0.2


async def _wait(pilot: object, predicate: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the TUI did not get there in time")
        await asyncio.sleep(0.001)


def _tree_ready(app: DwhApp) -> bool:
    trees = app.screen.query("#job-tree").results(Tree)
    return any(t.root.children for t in trees)


async def paint() -> dict[str, float]:
    """Time to first paint with the job tree populated."""
    t0 = float(os.environ["BENCH_T0"])
    app = DwhApp()
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: _tree_ready(app))
        seconds = time.time() - t0
        jobs = sum(
            len(branch.children) for branch in app.screen.query_one("#job-tree", Tree).root.children
        )
    return {"wall": seconds, "jobs": jobs}


async def latency() -> dict[str, list[float]]:
    """Event latencies of one noop run, in milliseconds."""
    seen: list[float] = []
    original = RunConsole.add_event

    def add_event(self: RunConsole, event: object) -> None:
        original(self, event)  # type: ignore[arg-type]
        at = dt.datetime.fromisoformat(str(event.at).replace("Z", "+00:00"))  # type: ignore[attr-defined]
        seen.append((time.time() - at.timestamp()) * 1000)

    RunConsole.add_event = add_event  # type: ignore[method-assign]
    app = DwhApp()
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: _tree_ready(app))
        await pilot.press("ctrl+f", *"noop", "enter")
        await _wait(pilot, lambda: app.screen.detail is not None and app.screen.job.name == "noop")  # type: ignore[attr-defined]
        # Spaced phases, as in a real job: each event then arrives on its own.
        editor = app.screen.query_one("#config-text", TextArea)
        editor.load_text(json.dumps({"message": "bench", "sleep_seconds": PHASE_SECONDS}))
        await pilot.pause()
        await pilot.press("ctrl+j")
        console = app.screen.query_one(RunConsole)
        await _wait(pilot, lambda: console.status in ("succeeded", "failed", "cancelled"))
        status = console.status
    if status != "succeeded":
        raise RuntimeError(f"the noop run {status}")
    return {"latency_ms": seen}


async def run() -> dict[str, float]:
    """Seconds from ``ctrl+j`` (warm) or ``ctrl+k`` (cold) to ``job_succeeded``."""
    mode, job, config = sys.argv[2], sys.argv[3], sys.argv[4]
    key = {"warm": "ctrl+j", "cold": "ctrl+k"}[mode]
    app = DwhApp()
    async with app.run_test(size=SIZE) as pilot:
        await _wait(pilot, lambda: _tree_ready(app))
        await pilot.press("ctrl+f", *job, "enter")
        await _wait(pilot, lambda: app.screen.detail is not None and app.screen.job.name == job)  # type: ignore[attr-defined]
        app.screen.query_one("#config-text", TextArea).load_text(config)
        await pilot.pause()
        console = app.screen.query_one(RunConsole)
        succeeded: list[float] = []
        original = console.add_event

        def add_event(event: object) -> None:
            original(event)  # type: ignore[arg-type]
            if getattr(event, "event", "") == "job_succeeded":
                succeeded.append(time.perf_counter())

        console.add_event = add_event  # type: ignore[method-assign]
        pressed = time.perf_counter()
        await pilot.press(key)
        ended = ("succeeded", "failed", "cancelled", "rejected")
        await _wait(pilot, lambda: console.status in ended, 600)
        status, message = console.status, console.message
        warm_note = any(line.startswith("warm run on ") for line in console.entries)
    if status != "succeeded" or not succeeded:
        raise RuntimeError(f"the {mode} {job} run {status}: {message}")
    if warm_note != (mode == "warm"):
        raise RuntimeError(f"the {mode} run went {'warm' if warm_note else 'cold'}")
    return {"wall": succeeded[0] - pressed}


def main() -> int:
    """Run the probe named on the command line."""
    probe = {"paint": paint, "latency": latency, "run": run}[sys.argv[1]]
    print(json.dumps(asyncio.run(probe())))  # type: ignore[operator]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

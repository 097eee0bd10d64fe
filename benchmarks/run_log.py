"""(run log) Stored process logs: the launcher's cost per line, and the drill-down's Log tab.

- Writing: :class:`~dwh.runs.logs.RunLogWriter` takes 150,000 Spark-like log lines
  (120 characters, 18 MB: under the cap, so each is written), as a launcher reader
  thread hands them over; the figure is the cost per line, which the run itself never
  waits on (the child writes to a pipe).
- The TUI: a run with a 20,000-line stored log, the app headless in its own process.
  *Open*: from showing the Log tab to its lines drawn (the file read, the last 2,000
  lines written to the ``Log`` widget, one repaint). *Search*: from a key in the search
  box reaching the app to the filtered lines drawn (the 20,000 lines filtered, the
  matches written and highlighted, one repaint), for each key of ``error``.

Usage of the probe (what :func:`run` starts)::

    DWH_HOME=... python -m benchmarks.run_log tui-probe
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from benchmarks.common import Settings, bench_env, run_process
from benchmarks.harness import Row, Summary, column, repeat, seconds_row

TARGET_SECONDS = 1.0
LOG_LINES = 20_000
WRITE_LINES = 150_000  # 18 MB: under the 20 MB cap, so every line is written
RUN_ID = "20261125T183000Z-logbch"


def spark_line(n: int) -> str:
    """A 120-character line like Spark's; every 100th an ERROR."""
    level = "ERROR" if n % 100 == 0 else "INFO "
    text = f"26/11/25 18:30:{n % 60:02d} {level} TaskSetManager: Finished task {n}.0 in stage 3.0"
    return (text + " (TID 7) in 12 ms on localhost (executor driver)").ljust(120)[:120]


def prepare(home: Path) -> None:
    """A run in the store and its 20,000-line stored log."""
    from dwh.runs.logs import RunLogWriter
    from dwh.runs.store import RunStore
    from dwh.testing.outputs import record_succeeded_run

    environ = {"DWH_HOME": str(home)}
    with RunStore(home / "runs.db") as store:
        record_succeeded_run(store, RUN_ID, "transform_images", {})
    writer = RunLogWriter(RUN_ID, environ=environ)
    for n in range(LOG_LINES):
        writer.write(spark_line(n))
    writer.close()


def run(settings: Settings) -> list[Row]:
    """Three rows: the writer's cost per line, the Log tab's open and its search."""
    from dwh.runs.logs import RunLogWriter

    home = settings.workdir / "run-log-home"
    prepare(home)
    env = bench_env(home)
    times = max(3, settings.light_pairs // 2)
    lines = [spark_line(n) for n in range(WRITE_LINES)]

    def write() -> dict[str, float]:
        writer = RunLogWriter("bench-write", environ={"DWH_HOME": str(home)})
        started = time.perf_counter()
        for line in lines:
            writer.write(line)
        writer.close()
        return {"wall": (time.perf_counter() - started) / WRITE_LINES * 1e6}

    def tui() -> dict[str, float]:
        result = run_process([sys.executable, "-m", "benchmarks.run_log", "tui-probe"], env=env)
        return {k: float(v) for k, v in json.loads(result.stdout.splitlines()[-1]).items()}

    writes = repeat(write, times=times)
    probes = repeat(tui, times=times)
    per_line = Summary.of(column(writes))
    return [
        Row(
            measure=f"run log: RunLogWriter, {WRITE_LINES:,} lines of 120 characters",
            a="",
            b=f"per line: {per_line.text('µs')}",
            headline=f"{per_line.median:.2f} µs/line",
            note="on the launcher's reader thread (sync) or event loop (async), not the "
            f"child's; flushed every 0.5 s; n={per_line.n}",
            data={"samples": writes},
        ),
        seconds_row(
            f"TUI run drill-down: Log tab open ({LOG_LINES:,}-line stored log)",
            "ctrl+f to lines drawn",
            column(probes, "open"),
            probes,
            limit=TARGET_SECONDS,
            note="file read, last 2,000 lines written, one repaint",
        ),
        seconds_row(
            f"TUI run drill-down: one search key ({LOG_LINES:,}-line stored log)",
            "key to filtered lines drawn",
            column(probes, "key"),
            probes,
            limit=TARGET_SECONDS,
            note="the slowest key of 'error' per process (the first, 'e', matches every line)",
        ),
    ]


async def _tui_probe() -> dict[str, float]:
    from textual import events
    from textual.widgets import Log, TabbedContent

    import tui.app as tui_app
    from dwh.runs.store import RunStore, store_path_from_env
    from tui.app import DwhApp
    from tui.screens.run_detail import RunDetailScreen

    pressed: list[float] = []

    class TimedApp(DwhApp):
        """Notes when each key reaches the app: the pilot's own waiting is not the TUI's."""

        CSS_PATH = str(Path(tui_app.__file__).with_name("dwh.tcss"))

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key):
                pressed.append(time.perf_counter())
            await super().on_event(event)

    path = store_path_from_env()
    assert path is not None
    app = TimedApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = RunDetailScreen(RunStore(path, create=False), RUN_ID)
        await app.push_screen(screen)
        await pilot.pause()
        log = screen.query_one("#detail-log-lines", Log)
        started = time.perf_counter()
        screen.query_one("#detail-tabs", TabbedContent).active = "detail-log"
        while log.line_count < 2000:
            await asyncio.sleep(0.001)
        await pilot.pause()  # the repaint
        opened = time.perf_counter() - started
        screen.query_one("#detail-log-search").focus()
        await pilot.pause()
        keys: list[float] = []
        expected = {"e": LOG_LINES, "er": LOG_LINES, "err": 200, "erro": 200, "error": 200}
        for typed, count in expected.items():
            pressed.clear()
            await pilot.press(typed[-1])
            while screen.matches != count or screen.query_one("#detail-log-search").value != typed:
                await asyncio.sleep(0.001)
            await pilot.pause()
            keys.append(time.perf_counter() - pressed[0])
    return {"wall": opened, "open": opened, "key": max(keys)}


def main() -> int:
    """``python -m benchmarks.run_log tui-probe``: print the probe's JSON line."""
    if sys.argv[1:] != ["tui-probe"]:
        print("usage: python -m benchmarks.run_log tui-probe", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(_tui_probe())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

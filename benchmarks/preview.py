"""(8) Output previews: ``dwh preview`` of a 1M-row Parquet output, and the TUI's key-to-table.

Both read a folder of four part files (1M rows in all, the ``transform_images`` output
schema) written here with pyarrow, as Spark would lay it out.

- ``dwh preview OUTPUT --limit 100 --json``, a cold process each time: the interpreter,
  the CLI and pyarrow start, the footers are read for the exact count, 100 rows are read.
- The TUI: a run recorded with that output in the store, the app headless in its own
  process, History open; the clock runs from the ``p`` key reaching the app to the
  preview's table holding its rows (the screen's ``Loaded`` message). The TUI does not
  import pyarrow at start; the History imports it in a thread once it shows a run with
  outputs, and the press comes after that, as a user's does after reading the run. One
  press per process: each is the first.

Usage of the probe (what :func:`run` starts)::

    DWH_HOME=... python -m benchmarks.preview tui-probe
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.common import Settings, bench_env, run_process
from benchmarks.harness import Row, Summary, column, interleave, repeat, seconds_row

TARGET_SECONDS = 1.0
ROWS = 1_000_000
PREVIEW_ROWS = 100
RUN_ID = "20261125T183000Z-bench1"
DWH = [sys.executable, str(Path(sys.executable).with_name("dwh"))]


def write_output(folder: Path, rows: int = ROWS, parts: int = 4, widen_every: int = 0) -> Path:
    """Write ``rows`` image rows as ``parts`` Parquet part files plus ``_SUCCESS``.

    With ``widen_every`` N, every N-th image is 1 pixel wider (a version with known
    changes, for ``benchmarks.diff``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    per = rows // parts
    start = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    for part in range(parts):
        ids = pa.array(range(part * per, (part + 1) * per), pa.int64())
        width = pc.add(pc.multiply(pc.bit_wise_and(ids, 7), 64), 640)
        if widen_every:
            whole = pc.multiply(pc.divide(ids, widen_every), widen_every)  # integer division
            widened = pc.equal(pc.subtract(ids, whole), 0)
            width = pc.if_else(widened, pc.add(width, 1), width)
        table = pa.table(
            {
                "image_id": pc.binary_join_element_wise("img-", pc.cast(ids, pa.string()), ""),
                "width": width,
                "height": pc.add(pc.multiply(pc.bit_wise_and(ids, 3), 48), 480),
                "captured_at": pa.array([start] * per, pa.timestamp("us", tz="UTC")),
                "camera": pc.binary_join_element_wise(
                    "cam-", pc.cast(pc.bit_wise_and(ids, 3), pa.string()), ""
                ),
            }
        )
        pq.write_table(table, folder / f"part-{part:05d}-bench.snappy.parquet")
    (folder / "_SUCCESS").touch()
    return folder


def record_run(home: Path, output: Path) -> None:
    """Record one succeeded run whose output is ``output`` in ``home``'s run store."""
    from dwh.runs.store import RunStore
    from dwh.testing.outputs import record_succeeded_run

    with RunStore(home / "runs.db") as store:
        record_succeeded_run(store, RUN_ID, "transform_images", {"output_path": str(output)})


def run(settings: Settings) -> list[Row]:
    """Two rows: the cold CLI preview and the TUI's key-to-table, each against 1 s."""
    output = write_output(settings.workdir / "preview" / "images")
    home = settings.workdir / "preview-home"
    record_run(home, output)
    env = bench_env(home)
    times = max(3, settings.light_pairs)

    def cli() -> dict[str, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = run_process(
            [*DWH, "preview", str(output), "--limit", str(PREVIEW_ROWS), "--json"], env=env
        )
        shown = json.loads(result.stdout)
        if shown["row_count"] != ROWS or len(shown["rows"]) != PREVIEW_ROWS:
            raise RuntimeError(f"dwh preview showed {shown['row_count']} rows")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"wall": result.wall, "cpu": cpu}

    def tui() -> dict[str, float]:
        result = run_process([sys.executable, "-m", "benchmarks.preview", "tui-probe"], env=env)
        return {k: float(v) for k, v in json.loads(result.stdout.splitlines()[-1]).items()}

    # Interleaved with bare Python, so a loaded machine shows as a slow baseline too.
    pairs = interleave(
        lambda: run_process([sys.executable, "-c", "pass"], env=env).wall,
        cli,
        pairs=times,
    )
    tui_samples = repeat(tui, times=times)
    bare = Summary.of(column(pairs.a))
    cli_row = seconds_row(
        f"dwh preview: {PREVIEW_ROWS} rows of a 1M-row Parquet output, cold process",
        "dwh preview --json",
        column(pairs.b),
        pairs.b,
        limit=TARGET_SECONDS,
        note="the whole process: interpreter, CLI, pyarrow, exact count from the footers",
    )
    cli_row.a = f"python -c pass: {bare.text()}"
    cli_row.note += f"; CPU (user+sys) {Summary.of(column(pairs.b, 'cpu')).text()}"
    cli_row.data["bare"] = pairs.a
    return [
        cli_row,
        seconds_row(
            "TUI preview: key to table (1M-row Parquet output, first press)",
            "p on a History run",
            column(tui_samples),
            tui_samples,
            limit=TARGET_SECONDS,
            note=f"first press in a fresh app; table holds {PREVIEW_ROWS * 2} rows; "
            "pyarrow imported in the background when History showed the run",
        ),
    ]


async def _tui_probe() -> dict[str, float]:
    from textual import events
    from textual.widgets import DataTable, Tree

    import tui.app as tui_app
    from tui.app import DwhApp

    pressed: list[float] = []
    filled: list[float] = []

    class TimedApp(DwhApp):
        """Notes when the key reaches the app: the pilot's own waiting is not the TUI's."""

        CSS_PATH = str(Path(tui_app.__file__).with_name("dwh.tcss"))

        async def on_event(self, event: events.Event) -> None:
            if isinstance(event, events.Key) and event.key == "p" and not pressed:
                pressed.append(time.perf_counter())
            await super().on_event(event)

        def on_preview_screen_loaded(self, message: object) -> None:
            # Posted right after the table got its rows; the pilot's own waiting for
            # idle after a key press would add a second or more that a user never sees.
            if not filled:
                filled.append(time.perf_counter())

    async def wait(predicate: object, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError("the TUI did not get there in time")
            await asyncio.sleep(0.001)

    app = TimedApp()
    async with app.run_test(size=(120, 40)) as pilot:
        trees = lambda: app.screen.query("#job-tree").results(Tree)  # noqa: E731
        await wait(lambda: any(t.root.children for t in trees()))
        await pilot.press("f6")
        history = app.screen.query_one("#history-table", DataTable)
        history.focus()
        await wait(lambda: history.row_count == 1)
        # Showing a run with outputs imports pyarrow in the background (as it does
        # while a user reads the History); the press comes after that, as a user's does.
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("p")
        await wait(lambda: bool(filled))
        seconds = filled[0] - pressed[0]
        rows = app.screen.query_one("#preview-table", DataTable).row_count
    return {"wall": seconds, "rows": rows}


def main() -> int:
    """``python -m benchmarks.preview tui-probe``: print the key-to-table JSON line."""
    if sys.argv[1:] != ["tui-probe"]:
        print("usage: python -m benchmarks.preview tui-probe", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(_tui_probe())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Render the preview screenshots for docs/ (SVG, via Textual's ``save_screenshot``).

Writes a ``transform_images``-like output and rejects with pyarrow, records the run in a
throw-away run store with a stored process log, opens it from History and saves the
preview, the run drill-down and its Log tab searched::

    .venv/bin/python tests/tui/render_preview.py docs/
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from textual.widgets import DataTable, Log, Tabs

from dwh.runs.logs import RunLogWriter
from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run, write_images_outputs
from tui.app import DwhApp
from tui.screens.preview import PreviewScreen
from tui.screens.run_detail import RunDetailScreen

RUN = "20261125T183000Z-a1b2c3"

LOG = [
    "WARNING: Using incubator modules: jdk.incubator.vector",
    'Setting default log level to "WARN".',
    "26/11/25 18:30:01 WARN NativeCodeLoader: Unable to load native-hadoop library for "
    "your platform... using builtin-java classes where applicable",
    *(
        f"26/11/25 18:30:{4 + n // 3:02d} INFO TransformImagesJob: batch {n}: "
        f"{80 + n} images read, {(80 + n) // 9} rejected"
        for n in range(40)
    ),
    "26/11/25 18:30:18 WARN TaskSetManager: Lost task 3.0 in stage 4.0 (TID 31): "
    "java.io.IOException: connection reset (retrying)",
    "26/11/25 18:30:21 WARN MemoryStore: Not enough space to cache rdd_12_1 in memory",
    "dwh: job 'transform_images' succeeded in 3.5s job time, 9.1s process wall "
    f'(run {RUN}): {{"input_rows": 271, "output_rows": 240, "rejected_rows": 31}}',
]


async def _until(predicate, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the app did not get there")
        await asyncio.sleep(0.05)


async def render(out: Path) -> None:
    outputs = write_images_outputs(Path("demo-data"), rows=240, rejects=31)
    with RunStore(Path(".dwh") / "runs.db") as store:
        record_succeeded_run(
            store,
            RUN,
            "transform_images",
            outputs,
            config={"raw_path": "demo-data/raw", "output_path": outputs["output_path"]},
            metrics={"input_rows": 271, "output_rows": 240, "rejected_rows": 31},
        )
    writer = RunLogWriter(RUN)
    for line in LOG:
        writer.write(line)
    writer.close()
    app = DwhApp(packages=("dwh.jobs",))
    async with app.run_test(size=(132, 38)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("f6")
        app.screen.query_one("#history-table", DataTable).focus()
        await pilot.pause()
        await pilot.press("p")
        await _until(lambda: isinstance(app.screen, PreviewScreen) and app.screen.preview)
        app.screen.query_one(Tabs).active = "out-1"
        await _until(lambda: app.screen.current == "rejects_path" and app.screen.preview)
        await pilot.pause()
        app.save_screenshot("tui-preview-rejects.svg", path=str(out))
        app.screen.query_one(Tabs).active = "out-0"
        await _until(lambda: app.screen.current == "output_path" and app.screen.preview)
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.save_screenshot("tui-preview.svg", path=str(out))
        await pilot.press("escape", "d")
        await _until(lambda: isinstance(app.screen, RunDetailScreen))
        await pilot.pause()
        app.save_screenshot("tui-run-detail.svg", path=str(out))
        await pilot.press("ctrl+f", *"warn")
        await _until(lambda: app.screen.matches == 5)
        await _until(lambda: app.screen.query_one(Log).line_count == 5)
        await pilot.pause()
        app.save_screenshot("tui-run-log.svg", path=str(out))


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs").resolve()
    with tempfile.TemporaryDirectory(prefix="dwh-preview-demo-") as tmp:
        os.chdir(tmp)
        os.environ["DWH_HOME"] = ".dwh"
        os.environ.pop("DWH_RUN_STORE", None)
        asyncio.run(render(out))
    print(
        f"wrote {out}/tui-preview.svg, tui-preview-rejects.svg, tui-run-detail.svg, tui-run-log.svg"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The TUI process never imports pyspark, even after browsing and running every job."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tui_helpers import FIXTURE_JOBS

PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    sys.path.insert(0, sys.argv[1])
    from tui.app import DwhApp
    from tui.widgets.run_console import RunConsole

    async def main():
        app = DwhApp(packages=("dwh.jobs", "tuijobs"))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            for job in app.catalog.jobs:
                app.screen.open_job(job)
                await app.workers.wait_for_complete()
                await pilot.pause()
            noop = app.catalog.find("noop")
            app.screen.open_job(noop)
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("ctrl+j")
            console = app.screen.query_one(RunConsole)
            while console.status != "succeeded":
                await pilot.pause(0.05)
            await pilot.press("f6", "ctrl+l", "escape", "f1", "escape")
            await pilot.pause()
            print(json.dumps({
                "jobs": [job.name for job in app.catalog.jobs],
                "pyspark": sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j")),
            }))

    asyncio.run(main())
    """
)


def test_tui_never_imports_pyspark(isolated_home):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(FIXTURE_JOBS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"noop", "sample", "broken"} <= set(report["jobs"])
    assert report["pyspark"] == []


def test_python_dash_m_tui_and_console_script_exist():
    import importlib.util
    from importlib.metadata import entry_points

    assert importlib.util.find_spec("tui.__main__") is not None
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("dwh-tui") == "tui.app:main"

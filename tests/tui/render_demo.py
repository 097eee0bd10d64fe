"""Render the README's dwh-tui screenshots (SVG, via Textual's ``save_screenshot``).

Runs the real app against the repository's jobs, with a real noop run through the
generic entry, in a throw-away ``$DWH_HOME``::

    .venv/bin/python tests/tui/render_demo.py docs/
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from textual.widgets import TextArea

from tui.app import DwhApp
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.run_console import RunConsole

BROKEN_CONFIG = """{
  "base_path": "demo-data/filtered_images",
  "timezone": "America/Los_Angeles",
  "transform_output_path": "demo-data/transformed",
  "lookback_dayz": 7
}
"""


async def render(out: Path) -> None:
    app = DwhApp(packages=("dwh.jobs",))
    async with app.run_test(size=(132, 38)) as pilot:
        screen = app.screen
        for area in screen.query(TextArea):
            area.cursor_blink = False
        await pilot.press("ctrl+f", *"noop", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen.query_one(ConfigEditor).set_text('{"message": "demo", "sleep_seconds": 0.4}\n')
        await pilot.press("ctrl+j")
        console = screen.query_one(RunConsole)
        while console.running:
            await pilot.pause(0.05)
        await pilot.pause()
        app.save_screenshot("tui-run.svg", path=str(out))

        await pilot.press("ctrl+f", *"filter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f4")
        screen.query_one(ConfigEditor).set_text(BROKEN_CONFIG)
        await pilot.pause()
        app.save_screenshot("tui-config.svg", path=str(out))

        await pilot.press("f6")
        await pilot.pause()
        app.save_screenshot("tui-history.svg", path=str(out))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs").resolve()
    out.mkdir(parents=True, exist_ok=True)
    repo = Path(__file__).resolve().parents[2]
    os.environ["DWH_HOME"] = tempfile.mkdtemp(prefix="dwh-tui-demo-")
    os.chdir(repo)  # examples/ and scripts/ are found from here
    asyncio.run(render(out))


if __name__ == "__main__":
    main()

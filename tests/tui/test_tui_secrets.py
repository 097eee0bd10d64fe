"""No secret on any TUI screen except the config editor, where the user typed it.

A job (``vault``, made in a scratch package, no Spark) takes a ``db_password`` and a
``source_url`` with a password in it; it reports the URL in its metrics and, when told
to fail, raises an error that quotes both secrets. The test runs it to success and to
failure through the real generic entry, then looks at every screen a user can reach:
the run console (status, lifecycle, and the process log pane, where the entry's own
output and Spark's log go), the history table and each run's detail, the job tab, the
production-command dialog, and the validation panel for configs that fail validation
with a secret in a bad-typed field. The check reads what the screen actually shows (the
text of ``app.export_screenshot()``) as well as the widgets' content.

The config editor is the one place a secret may appear: the user typed it there, and
the test checks that it does, which shows the screen search would find a leak.
"""

from __future__ import annotations

import html
import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Collapsible, DataTable, Static
from tui_helpers import SIZE, TEST_PACKAGES, open_job, wait_for

from tui.screens.dialogs import CommandsScreen
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.history_view import HistoryView
from tui.widgets.run_console import RunConsole

DB_PASSWORD = "Hunter2-DbPw-7Q"
URL_PASSWORD = "UrlPw-9Zxk"
SOURCE_URL = f"postgresql://etl:{URL_PASSWORD}@db.example:5432/images"
FRAGMENTS = (DB_PASSWORD, URL_PASSWORD, "Hunt", "DbPw-7Q", "UrlP", "9Zxk")
"""The secrets and pieces of them: a secret wrapped over two lines, or cut short, is found."""

VAULT_JOB = textwrap.dedent(
    '''
    """Reads rows from a database (a TUI secrets test job, no Spark)."""

    from __future__ import annotations

    from typing import Any

    from dwh.config import JobConfig
    from dwh.jobs.abstract_job import AbstractJob
    from dwh.jobs.abstract_job_factory import AbstractJobFactory


    class VaultConfig(JobConfig):
        source_url: str
        db_password: str
        fail: bool = False


    class VaultJob(AbstractJob):
        def execute_job(self, source_url: str, db_password: str, fail: bool, **_: Any) -> dict:
            with self.phase("extract") as phase:
                phase.rows = 3
            if fail:
                raise RuntimeError(f"login to {source_url} refused for password {db_password}")
            return {"rows": 3, "source": source_url, "note": f"used {db_password}"}

        def on_success(self, results: dict) -> None:
            pass

        def on_failure(self, error_message: str) -> None:
            pass


    class VaultJobFactory(AbstractJobFactory[VaultConfig]):
        job_name = "vault"
        config_model = VaultConfig
        needs_spark = False

        def create_job(self, **kwargs: Any) -> VaultJob:
            self.parse_job_config(**kwargs)
            return VaultJob(**self.job_services())


    def main(**kwargs: Any) -> Any:
        return VaultJobFactory(**kwargs).run(**kwargs)
    '''
)


@pytest.fixture
def vault_packages(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """The ``vaultjobs`` package beside the TUI fixture jobs, for the app and its runs."""
    root = isolated_home / "vault-packages"
    package = root / "vaultjobs" / "vault"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "vault_job_factory.py").write_text(VAULT_JOB)
    packages = (*TEST_PACKAGES, "vaultjobs")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("PYTHONPATH", f"{root}:{os.environ['PYTHONPATH']}")
    monkeypatch.setenv("DWH_JOB_PACKAGES", ",".join(packages))
    return packages


def config(**changes: Any) -> str:
    """The config as the editor holds it: one key per line."""
    return json.dumps({"source_url": SOURCE_URL, "db_password": DB_PASSWORD, **changes}, indent=2)


def shown(app: Any) -> str:
    """The text the terminal shows now, read from the screenshot SVG."""
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(parts)).replace("\xa0", " ")


def outside_editor(screen: str) -> str:
    """The screen text without the editor's numbered lines (``│2  "db_password"...``)."""
    return "\n".join(line for line in screen.splitlines() if not re.search(r"│\d+ ", line))


def assert_no_secret(where: str, *texts: str) -> None:
    for text in texts:
        found = [f for f in FRAGMENTS if f in text]
        assert not found, f"{where} shows {found}: {text[:2000]}"


async def run_to_end(pilot: Any, text: str) -> RunConsole:
    app = pilot.app
    await pilot.press("f4")
    app.screen.query_one(ConfigEditor).set_text(text)
    await pilot.pause()
    console = app.screen.query_one(RunConsole)
    previous = console.run_id
    await pilot.press("ctrl+j")
    await wait_for(pilot, lambda: console.run_id != previous and not console.running)
    return console


async def look_at_run_console(pilot: Any, console: RunConsole, status: str) -> None:
    app = pilot.app
    assert console.status == status, console.message
    await pilot.press("f5")
    app.screen.query_one("#run-log-box", Collapsible).collapsed = False
    await wait_for(pilot, lambda: app.screen.query_one("#run-log").line_count > 0)
    await pilot.pause(0.3)
    screen = shown(app)
    assert f"run {console.run_id}" in screen
    assert console.log_lines and console.entries
    assert_no_secret(f"the run console ({status})", screen)
    assert_no_secret("the lifecycle log", "\n".join(console.entries), console.message)
    assert_no_secret("the process log", "\n".join(console.log_lines))


async def test_secrets_appear_only_in_the_editor(make_app, vault_packages):
    app = make_app(packages=vault_packages)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "vault")
        await pilot.press("f3")
        await pilot.pause()
        assert_no_secret("the job tab", shown(app))

        # The editor shows what the user typed: the search finds it there.
        await pilot.press("f4")
        app.screen.query_one(ConfigEditor).set_text(config())
        await pilot.pause()
        typed = shown(app)
        assert DB_PASSWORD in typed and URL_PASSWORD in typed

        succeeded = await run_to_end(pilot, config())
        await look_at_run_console(pilot, succeeded, "succeeded")
        assert any("metric  source" in e for e in succeeded.entries)

        failed = await run_to_end(pilot, config(fail=True))
        await look_at_run_console(pilot, failed, "failed")
        assert any("login to" in e for e in failed.entries), "the error is shown, redacted"

        await pilot.press("f6")
        await pilot.pause()
        history = app.screen.query_one(HistoryView)
        assert [r.status for r in history.records] == ["failed", "succeeded"]
        table = app.screen.query_one("#history-table", DataTable)
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.pause(0.2)
            assert history.selected is history.records[row]
            cells = " ".join(str(cell) for cell in table.get_row_at(row))
            assert_no_secret(f"history row {row}", shown(app), cells)
            assert_no_secret(f"run detail {row}", "\n".join(history.detail_lines))

        # The production-command dialog: the clipboard gets the runnable command.
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandsScreen))
        await pilot.pause()
        assert DB_PASSWORD in app.clipboard and URL_PASSWORD in app.clipboard
        dialog = str(app.screen.query_one("#commands-text", Static).render())
        assert "spark-submit" in dialog and '"db_password":"***"' in dialog
        # The screenshot of a modal shows the editor behind it: drop the editor's lines.
        assert_no_secret("the production-command dialog", dialog, outside_editor(shown(app)))
        await pilot.press("escape")
        await pilot.pause()
        assert_no_secret("notifications", *(n.message for n in app._notifications))


@pytest.mark.parametrize(
    "bad",
    [
        {"db_password": [DB_PASSWORD]},
        {"db_password": {"value": DB_PASSWORD}},
        {"source_url": [SOURCE_URL]},
        {"source_url": {"url": SOURCE_URL, "password": DB_PASSWORD}},
        {"fail": f"yes {DB_PASSWORD}"},
        # The echo is cut at 80 characters: here the cut falls inside the secret.
        {"source_url": {"k": "b" * 49, "password": DB_PASSWORD}},
    ],
    ids=[
        "secret-as-list",
        "secret-as-object",
        "url-as-list",
        "url-as-object",
        "repeated",
        "cut-inside-the-secret",
    ],
)
async def test_validation_problems_never_echo_a_secret(make_app, vault_packages, bad):
    app = make_app(packages=vault_packages)
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "vault")
        await pilot.press("f4")
        editor = app.screen.query_one(ConfigEditor)
        editor.set_text(config(**bad))
        await pilot.pause()
        assert not editor.valid
        panel = app.screen.query_one("#config-problems", Static)
        problems = "\n".join(p.message for p in editor.problems)
        assert "got" in problems
        assert_no_secret("the validation panel", str(panel.render()), problems)
        await pilot.press("ctrl+j")  # refused: a notice, no run
        await pilot.pause()
        assert app.screen.query_one(RunConsole).status == "idle"
        assert_no_secret("notifications", *(n.message for n in app._notifications))

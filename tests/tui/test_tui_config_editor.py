"""The config editor: live validation, Run gating, skeletons, save and open, prod commands."""

from __future__ import annotations

import json
import shlex

from textual.widgets import Button, Static, TextArea
from tui_helpers import SIZE, open_job, wait_for

from tui.screens.dialogs import CommandsScreen, OpenConfigScreen, SaveConfigScreen
from tui.widgets.config_editor import ConfigEditor


def _problems(app) -> str:
    return str(app.screen.query_one("#config-problems", Static).render())


async def _type_config(pilot, text: str) -> None:
    """Select everything in the editor and type ``text`` key by key."""
    editor = pilot.app.screen.query_one("#config-text", TextArea)
    editor.focus()
    editor.select_all()
    await pilot.press("delete")
    await pilot.press(*text)
    await pilot.pause()


async def test_live_syntax_error_then_fixing_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        editor = app.screen.query_one(ConfigEditor)
        assert editor.valid
        assert not app.screen.query_one("#run", Button).disabled

        await _type_config(pilot, '{"sleep_seconds": 1,,}')
        assert not editor.valid
        (problem,) = editor.problems
        assert problem.line == 1 and problem.column == 21
        assert "line 1 col 21" in _problems(app)
        assert "invalid JSON" in _problems(app)
        assert app.screen.query_one("#run", Button).disabled
        assert app.screen.check_action("run", ()) is None  # greyed out in the footer
        await pilot.press("ctrl+j")  # refused: nothing starts
        assert app.screen.query_one("RunConsole").status == "idle"

        # fix it: delete ",,}" and close the object: valid at once
        await pilot.press("backspace", "backspace", "backspace", "}")
        await pilot.pause()
        assert editor.text == '{"sleep_seconds": 1}'
        assert editor.valid
        assert "valid config" in _problems(app)
        assert not app.screen.query_one("#run", Button).disabled


async def test_schema_errors_name_the_field_and_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        editor = app.screen.query_one(ConfigEditor)
        editor.set_text('{\n  "sleep_seconds": "1",\n  "fail_wiht": "x"\n}\n')
        await pilot.pause()
        by_path = {p.path: p for p in editor.problems}
        assert by_path["sleep_seconds"].line == 2
        assert "Input should be a valid number" in by_path["sleep_seconds"].message
        assert by_path["fail_wiht"].line == 3
        assert "did you mean 'fail_with'" in by_path["fail_wiht"].message
        assert "2 problems" in _problems(app)
        assert app.screen.query_one("#run", Button).disabled


async def test_new_config_from_schema(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "sample")
        editor = app.screen.query_one(ConfigEditor)
        editor.set_text("{}")
        await pilot.pause()
        assert [p.message for p in editor.problems] == ["'source_path': required field is missing"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert json.loads(editor.text)["mode"] == "append"
        assert editor.valid


async def test_save_then_open_a_config(make_app, isolated_home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        app.screen.query_one(ConfigEditor).set_text('{"message": "saved one"}')
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveConfigScreen)
        app.screen.query_one("#save-name").value = ""
        await pilot.press(*"nightly run", "enter")
        await pilot.pause()
        saved = isolated_home / ".dwh" / "configs" / "noop" / "nightly-run.json"
        assert json.loads(saved.read_text()) == {"message": "saved one"}

        app.screen.query_one(ConfigEditor).set_text("{}")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, OpenConfigScreen)
        assert "saved: nightly-run.json" in app.screen.choices
        index = app.screen.choices.index("saved: nightly-run.json")
        app.screen.query_one("#open-choices").highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert json.loads(app.screen.query_one(ConfigEditor).text) == {"message": "saved one"}


async def test_save_with_an_unusable_name_is_refused(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#save-name").value = "///"
        await pilot.press("enter")
        await pilot.pause()
        assert any("Not saved" in n.message for n in app._notifications)


async def test_copy_production_command(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        app.screen.query_one(ConfigEditor).set_text('{"message": "it\'s me", "sleep_seconds": 1}')
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, CommandsScreen)
        shown = str(app.screen.query_one("#commands-text", Static).render())
        assert app.clipboard == app.screen.text
        spark_submit = shown.splitlines()[1]
        assert shlex.split(spark_submit) == [
            "spark-submit",
            "scripts/glue/generic_entry.py",
            "--module_name",
            "dwh.jobs.noop.noop_job_factory",
            "--noop_job",
            '{"message":"it\'s me","sleep_seconds":1}',
            "--has_spark",
            "false",
        ]
        assert "papermill notebooks/run_job.ipynb" in shown
        assert "-p job_config" in shown and "-p has_spark False" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CommandsScreen)


async def test_copy_refuses_an_invalid_config(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        app.screen.query_one(ConfigEditor).set_text("{")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: bool(app._notifications))
        assert not isinstance(app.screen, CommandsScreen)
        assert app.clipboard == ""


async def test_drafts_survive_switching_jobs(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "noop")
        app.screen.query_one(ConfigEditor).set_text('{"message": "draft"}')
        await open_job(pilot, "sample")
        await open_job(pilot, "noop")
        assert json.loads(app.screen.query_one(ConfigEditor).text) == {"message": "draft"}


async def test_at_80x24_the_editor_is_readable_and_the_tree_can_be_hidden(make_app):
    from tui_helpers import open_job

    from tui.widgets.job_browser import JobBrowser

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-narrow")
        editor = screen.query_one("#config-text").region
        problems = screen.query_one("#config-problems").region
        assert editor.width >= 50, editor
        assert problems.y >= editor.bottom, "the validation panel is under the editor"
        assert problems.height >= 4
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not screen.query_one(JobBrowser).display
        assert screen.query_one("#config-text").region.width >= 76
        await pilot.press("f2")  # F2 brings the tree back, the cursor on a job
        await pilot.pause()
        assert screen.query_one(JobBrowser).display
        assert screen.query_one("#job-tree").has_focus


async def test_at_120x40_the_validation_panel_stays_beside_the_editor(make_app):
    from tui_helpers import open_job

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        await pilot.pause()
        assert app.screen.has_class("-wide")
        editor = app.screen.query_one("#config-text").region
        problems = app.screen.query_one("#config-problems").region
        assert problems.x >= editor.right and problems.y == editor.y


async def test_f4_puts_the_cursor_on_line_1_and_ctrl_home_end_move(make_app):
    # Issue 28 item 18: blind edits after F4 land on line 1; ctrl+home and ctrl+end work.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        await pilot.pause()
        editor = app.screen.query_one("#config-text", TextArea)
        assert editor.has_focus
        assert editor.cursor_location == (0, 0)
        await pilot.press("ctrl+end")
        last = editor.document.line_count - 1
        assert editor.cursor_location == (last, len(editor.document.get_line(last)))
        await pilot.press("ctrl+home")
        assert editor.cursor_location == (0, 0)
        await pilot.press(*"//")
        assert editor.text.startswith("//{")


async def test_help_lists_every_editor_key_and_says_which_the_screen_has(make_app):
    from tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = {keys: (binding_id, text) for keys, binding_id, text in app.screen.editor_rows}
        assert rows["ctrl+z"][1] == "Undo"
        assert rows["ctrl+u"][1] == "Delete to line start"
        assert rows["ctrl+home"] == ("dwh.editor.top", "Go to line 1")
        assert rows["ctrl+shift+k"][1] == "Delete line"
        assert rows["ctrl+k"][1] == (
            "Delete to line end (not in the editor: ctrl+k: Run cold has the key)"
        )
        assert "Select all (not in the editor: f7: Backfill has the key)" in {
            text for _, text in rows.values()
        }
        assert not [row for row in app.screen.rows if row[1] in ("undo", "cursor_up")]


async def test_the_keys_panel_lists_the_editor_keys_while_it_has_the_focus(make_app):
    # The footer's overflow: ctrl+p, "Keys" shows the focused widget's keys (Textual's
    # key panel reads the active bindings, shown in the footer or not).
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_job(pilot, "sample")
        await pilot.press("f4")
        await pilot.pause()
        active = {key: item.binding.description for key, item in app.screen.active_bindings.items()}
        assert active["ctrl+home"] == "Go to line 1"
        assert active["ctrl+end"] == "Go to the end"
        assert active["ctrl+z"] == "Undo"
        assert active["ctrl+u"] == "Delete to line start"
        assert active["ctrl+k"] == "Run cold", "the screen's key comes first (help says so)"

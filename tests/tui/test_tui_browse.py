"""Browsing jobs: the tree, the filter, the detail pane, broken modules, help, palette."""

from __future__ import annotations

import json

from textual.widgets import Markdown, Static, TextArea, Tree
from tui_helpers import open_job, wait_for

from dwh.registry import example_configs
from tui.screens.help import HelpScreen
from tui.widgets.config_editor import ConfigEditor
from tui.widgets.job_browser import JobBrowser


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_tree_groups_jobs_by_package(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#job-tree", Tree)
        packages = {
            str(node.label): [str(c.label) for c in node.children] for node in tree.root.children
        }
        assert "tuijobs (2)" in packages
        assert packages["tuijobs (2)"] == ["broken", "sample"]
        dwh_jobs = next(v for k, v in packages.items() if k.startswith("dwh.jobs"))
        assert "noop" in dwh_jobs


async def test_filter_narrows_the_tree_and_enter_selects(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f", *"samp")
        await pilot.pause()
        browser = app.screen.query_one(JobBrowser)
        assert [job.name for job in browser.shown] == ["sample"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.detail is not None)
        await pilot.pause()
        assert "Copies a sample of rows" in app.screen.query_one("#job-doc", Markdown).source
        assert app.screen.query_one("#job-tree", Tree).has_focus


async def test_filter_with_no_match_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f", *"zzzz")
        await pilot.pause()
        tree = app.screen.query_one("#job-tree", Tree)
        assert [str(n.label) for n in tree.root.children] == ["no job matches"]
        await pilot.press("enter")  # nothing to pick: no crash
        assert app.screen.job is None


async def test_selecting_a_job_shows_docstring_schema_and_config(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_job(pilot, "sample")
        detail = app.screen.detail
        assert detail.usable
        assert set(detail.schema["properties"]) >= {"source_path", "limit", "mode", "api_token"}
        assert detail.schema["required"] == ["source_path"]
        editor = app.screen.query_one(ConfigEditor)
        # no example: the editor starts from a skeleton generated from the schema
        assert json.loads(editor.text) == {
            "source_path": "",
            "limit": 100,
            "mode": "append",
            "api_token": None,
        }
        assert editor.valid


async def test_examples_prefill_the_editor(make_app):
    examples = example_configs("filter_images")
    assert examples, "the repository ships example configs for filter_images"
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_job(pilot, "filter_images")
        assert app.screen.detail.needs_spark is True
        assert app.screen.detail.examples == examples
        editor = app.screen.query_one(ConfigEditor)
        first_name, first = next(iter(examples.items()))
        assert json.loads(editor.text) == first
        assert first_name in editor.query_one("#config-text").border_title
        assert "example configs" in _text(app, "#job-examples")
        assert first_name in _text(app, "#job-examples")


async def test_editor_highlights_json(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_job(pilot, "noop")
        area = app.screen.query_one("#config-text", TextArea)
        assert area.language == "json"
        assert "json" in area.available_languages  # tree-sitter-json is installed


async def test_module_that_fails_to_import_shows_its_error_and_the_rest_works(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_job(pilot, "broken")
        assert app.screen.detail.error is not None
        error = _text(app, "#job-error")
        assert "failed to import" in error
        assert "warehouse_driver" in error
        assert "Traceback" not in error
        assert app.screen.query_one("#run").disabled
        assert "tuijobs.broken.broken_job_factory" in app.screen.query_one(JobBrowser).broken
        await pilot.press("ctrl+j")  # refused quietly, no crash
        assert not app.screen.query_one("RunConsole").running
        await open_job(pilot, "sample")
        assert app.screen.detail.usable


async def test_help_screen_lists_bindings_with_ids(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {row[1] for row in app.screen.rows}
        assert {"dwh.run", "dwh.cancel", "dwh.copy_command", "dwh.rerun", "dwh.help"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_binding_has_an_id():
    from tui.screens.main import MainScreen

    assert all(binding.id and binding.id.startswith("dwh.") for binding in MainScreen.BINDINGS)


async def test_keymap_file_remaps_a_binding(make_app, isolated_home):
    (isolated_home / ".dwh").mkdir()
    (isolated_home / ".dwh" / "keymap.json").write_text(json.dumps({"dwh.show_history": "f9"}))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "tab-history"


async def test_bad_keymap_file_is_a_warning_not_a_crash(make_app, isolated_home):
    (isolated_home / ".dwh").mkdir()
    (isolated_home / ".dwh" / "keymap.json").write_text("{not json")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("keymap" in n.message for n in app._notifications)


async def test_command_palette_opens_a_job(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open job sample")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.detail is not None)
        assert app.screen.job.name == "sample"


async def test_mouse_click_on_a_tab_switches_to_it(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#tabs Tab#--content-tab-tab-history")
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "tab-history"


async def test_hundreds_of_jobs_list_and_filter(make_app, tmp_path, monkeypatch):
    root = tmp_path / "manyjobs_root"
    package = root / "manyjobs"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for i in range(300):
        job = package / f"job_{i:03d}"
        job.mkdir()
        (job / f"job_{i:03d}_job_factory.py").write_text(
            f'"""Job number {i}."""\nraise RuntimeError("never imported by listing")\n'
        )
    monkeypatch.syspath_prepend(str(root))
    app = make_app(packages=("manyjobs",))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one("#job-tree", Tree)
        (branch,) = tree.root.children
        assert str(branch.label) == "manyjobs (300)"
        assert len(branch.children) == 300
        await pilot.press("ctrl+f", *"job_29")
        await pilot.pause()
        shown = [job.name for job in app.screen.query_one(JobBrowser).shown]
        assert shown == [f"job_{i}" for i in range(290, 300)]
        await pilot.press("ctrl+f", *"number 7.")  # the description is searched too
        await pilot.pause()
        assert [job.name for job in app.screen.query_one(JobBrowser).shown] == ["job_007"]


async def test_f2_then_enter_opens_the_first_job_and_the_hint_says_so(make_app):
    from tui_helpers import wait_until_ready

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until_ready(pilot)
        hint = _text(app, "#job-title")
        assert "F2 goes to the first job" in hint and "Enter opens it" in hint
        tree = app.screen.query_one("#job-tree", Tree)
        first = tree.root.children[0].children[0].data
        second = tree.root.children[0].children[1].data
        await pilot.press("f2", "enter")
        await wait_for(pilot, lambda: app.screen.detail is not None)
        assert app.screen.job.name == first.name
        assert all(branch.is_expanded for branch in tree.root.children)  # nothing folded
        # F2 again keeps the cursor on its job; down and Enter open the next one
        await pilot.press("f2", "down", "enter")
        await wait_for(pilot, lambda: app.screen.job.name == second.name)
        await wait_for(pilot, lambda: app.screen.detail is not None)
        assert tree.has_focus


async def test_the_filter_ranks_name_matches_before_docstring_matches(
    make_app, tmp_path, monkeypatch
):
    # Issue 28 item 17: typing a job's first letters, then Enter, opens that job, even
    # when another job's docstring (listed first, in a package listed first) holds them.
    root = tmp_path / "rank_root"
    for package, name, doc in (
        ("apkg", "loader", "Loads what the stg_orders job staged."),
        ("zpkg", "stg_orders", "Stages the orders."),
        ("zpkg", "orders_stg", "The orders, staged the other way round."),
    ):
        folder = root / package / name
        folder.mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (folder / f"{name}_job_factory.py").write_text(f'"""{doc}"""\n')
    monkeypatch.syspath_prepend(str(root))
    app = make_app(packages=("apkg", "zpkg"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f", *"stg")
        await pilot.pause()
        shown = [job.name for job in app.screen.query_one(JobBrowser).shown]
        assert shown == ["stg_orders", "orders_stg", "loader"]
        tree = app.screen.query_one("#job-tree", Tree)
        assert [str(n.label) for n in tree.root.children] == ["zpkg (2)", "apkg (1)"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.job is not None)
        assert app.screen.job.name == "stg_orders"

"""Run history: the table, a run's events and config, rerun, and bad stores."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Static
from tui_helpers import SIZE, wait_for

from tui.widgets.config_editor import ConfigEditor
from tui.widgets.history_view import HistoryView
from tui.widgets.run_console import RunConsole


async def test_history_lists_runs_newest_first(make_app, seeded_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        history = app.screen.query_one(HistoryView)
        assert [r.run_id for r in history.records] == [
            "20261125T185000Z-cccccc",
            "20261125T184000Z-bbbbbb",
            "20261125T183000Z-aaaaaa",
        ]
        table = app.screen.query_one("#history-table", DataTable)
        assert table.has_focus
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[:3] == ["2026-11-25 18:50:00", "noop", "running"]
        assert first[5] == "noop/20261125T183000Z-aaaaaa"
        oldest = [str(cell) for cell in table.get_row_at(2)]
        assert oldest[2:5] == ["succeeded", "3.0s", "message=hello, phases=3"]


async def test_selecting_a_run_shows_its_events_and_config(make_app, seeded_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "down")
        await pilot.pause()
        history = app.screen.query_one(HistoryView)
        assert history.selected.run_id == "20261125T184000Z-bbbbbb"
        text = "\n".join(history.detail_lines)
        assert "✘ failed" in text and "on_failure ran" in text
        assert '"fail_with": "boom"' in text


async def test_rerun_with_this_config_loads_it_into_the_editor(make_app, seeded_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6", "down", "down")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.screen.detail is not None)
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "tab-config"
        editor = app.screen.query_one(ConfigEditor)
        assert json.loads(editor.text) == {
            "message": "hello",
            "sleep_seconds": 1.0,
            "fail_with": None,
        }
        assert "from run 20261125T183000Z-aaaaaa" in editor.query_one("#config-text").border_title
        assert editor.valid


async def test_a_finished_run_appears_in_history_and_reruns(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        history = app.screen.query_one(HistoryView)
        assert "No runs recorded yet" in str(app.screen.query_one("#history-message").render())
        await pilot.press("ctrl+f", *"noop", "enter")
        await wait_for(pilot, lambda: app.screen.detail is not None)
        app.screen.query_one(ConfigEditor).set_text('{"message": "first"}')
        await pilot.press("ctrl+j")
        console = app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status == "succeeded")
        assert [r.run_id for r in history.records] == ["run-0001"]
        # rerun last (ctrl+r outside History) starts the same config again
        app.screen.query_one(ConfigEditor).set_text('{"message": "edited"}')
        await pilot.press("ctrl+r")
        await wait_for(
            pilot, lambda: console.run_id == "run-0002" and console.status == "succeeded"
        )
        assert [r.run_id for r in history.records] == ["run-0002", "run-0001"]
        assert history.records[0].config["message"] == "first"


async def test_rerun_last_from_the_palette_uses_the_store(make_app, seeded_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"rerun last", "enter")
        console = app.screen.query_one(RunConsole)
        await wait_for(pilot, lambda: console.status == "succeeded")
        assert console.run_id == "run-0001"
        assert json.loads(app.screen.query_one(ConfigEditor).text) == {"message": "downstream"}


async def test_corrupt_run_store_is_a_message_not_a_crash(make_app, isolated_home):
    (isolated_home / ".dwh").mkdir()
    (isolated_home / ".dwh" / "runs.db").write_bytes(b"this is not a database" * 100)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        message = str(app.screen.query_one("#history-message", Static).render())
        assert "could not be" in message
        assert "Traceback" not in message
        assert app.screen.query_one(HistoryView).records == []


async def test_store_switched_off(make_app, monkeypatch):
    monkeypatch.setenv("DWH_RUN_STORE", "off")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        assert "switched off" in str(app.screen.query_one("#history-message").render())
        await pilot.press("ctrl+r")  # no run to load: a notice, no crash
        await pilot.pause()
        assert any("No run selected" in n.message for n in app._notifications)


async def test_clicking_the_history_tab_rereads_the_store(make_app, seeded_store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        history = app.screen.query_one(HistoryView)
        assert len(history.records) == 3
        seeded_store.unlink()  # runs.db gone (someone cleaned .dwh): a message, no crash
        await pilot.click("#tabs Tab#--content-tab-tab-history")
        await pilot.pause()
        assert history.records == []
        assert "No runs recorded yet" in str(app.screen.query_one("#history-message").render())


async def test_rerun_never_runs_with_redacted_secrets(make_app, isolated_home):
    from dwh.events import Event
    from dwh.runs.store import RunStore

    with RunStore(isolated_home / ".dwh" / "runs.db") as store:
        store.record(
            Event(
                "job_started",
                job="sample",
                run_id="20261125T180000Z-secret",
                payload={"config": {"source_path": "s3://in", "api_token": "***"}},
                at="2026-11-25T18:00:00.000Z",
            ),
            module="tuijobs.sample.sample_job_factory",
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")  # rerun last: the only run in the store
        await wait_for(pilot, lambda: app.screen.detail is not None)
        await pilot.pause()
        editor = app.screen.query_one(ConfigEditor)
        assert json.loads(editor.text)["api_token"] == "***"
        assert app.screen.query_one(RunConsole).status == "idle"  # not started
        assert any("replace the *** values" in n.message for n in app._notifications)


async def test_stored_spark_progress_is_one_line_under_the_phases(make_app, isolated_home):
    # Issue 28 item 21: the store keeps each finished stage's last progress event
    # (never the ticks); History folds them into one line instead of raw JSON.
    from tui_helpers import noop_events, spark_progress

    from dwh.events import Event
    from dwh.runs.store import RunStore

    run_id = "20261125T183000Z-sparky"
    items = [i for i in noop_events(run_id) if isinstance(i, Event)]
    ticks = [spark_progress(run_id, stage, done, 4) for stage in range(13) for done in (2, 4)]
    events = items[:2] + ticks[:12] + items[2:3] + ticks[12:] + items[3:]
    with RunStore(isolated_home / ".dwh" / "runs.db") as store:
        for event in events:
            store.record(event, module="dwh.jobs.noop.noop_job_factory")
        kept = [e for e in store.events(run_id) if e.event == "spark_progress"]
    assert len(kept) == 13, "one per finished stage, no ticks"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        lines = [line.strip() for line in app.screen.query_one(HistoryView).detail_lines]
    assert not [line for line in lines if "spark_progress" in line or "tasks_done" in line]
    spark = "Spark: 13 stages, 52/52 tasks done (d shows each stage)"
    order = [
        next(i for i, line in enumerate(lines) if want in line)
        for want in ("phase  extract", "phase  load", spark, "✔ succeeded")
    ]
    assert order == sorted(order), lines

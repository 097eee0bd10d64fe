"""``dwh run`` (through the production entry), ``--follow``, and ``dwh runs``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CONTRACT_JOBS = Path(__file__).parent / "fixtures" / "contract_jobs"
DWH = "import sys; from dwh.cli import main; sys.exit(main())"


def events_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_run_goes_through_the_entry_and_streams_events(invoke, state, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"

    result = invoke(
        "run", "noop", "--config", '{"message": "hi"}', "--events", str(events), "--run-id", "r-1"
    )

    assert result.exit_code == 0, result.stderr
    assert "dwh: job 'noop' succeeded" in result.stderr
    names = [e["event"] for e in events_of(events)]
    assert names == ["job_started"] + ["phase_finished"] * 3 + ["job_succeeded"]
    assert {e["run_id"] for e in events_of(events)} == {"r-1"}
    assert events_of(events)[-1]["metrics"] == {"message": "hi", "phases": 3}


def test_a_failing_job_exits_1_with_its_error(invoke, state) -> None:
    result = invoke("run", "noop", "--config", '{"fail_with": "disk full"}')

    assert result.exit_code == 1
    assert "disk full" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_config_exits_2_listing_every_problem_and_runs_nothing(
    invoke, state, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"

    result = invoke(
        "run", "noop", "--config", '{"mesage": 1, "sleep_seconds": "x"}', "--events", str(events)
    )

    assert result.exit_code == 2
    assert "nothing ran" in result.stderr
    assert "did you mean 'message'" in result.stderr and "'sleep_seconds'" in result.stderr
    assert not events.exists()
    assert not (state / "runs.db").exists()


def test_run_an_unknown_job_suggests_names(invoke) -> None:
    result = invoke("run", "nop", "--config", "{}")

    assert result.exit_code == 2
    assert "unknown job 'nop'; did you mean 'noop'" in result.stderr


def test_runs_lists_and_shows_recorded_runs(invoke, state) -> None:
    assert invoke("runs").stdout.strip() == "no runs recorded yet"
    invoke("run", "noop", "--config", "{}", "--run-id", "run-ok")
    invoke("run", "noop", "--config", '{"fail_with": "boom"}', "--run-id", "run-bad")

    listed = json.loads(invoke("runs", "--json").stdout)
    failed = json.loads(invoke("runs", "--status", "failed", "--json").stdout)
    table = invoke("runs").stdout
    shown = invoke("runs", "show", "run-bad")
    shown_json = json.loads(invoke("runs", "show", "run-ok", "--json").stdout)

    assert [r["run_id"] for r in listed] == ["run-bad", "run-ok"]
    assert [r["run_id"] for r in failed] == ["run-bad"]
    assert "run-ok" in table and "succeeded" in table and "failed" in table
    assert shown.exit_code == 0
    assert "boom" in shown.stdout and "job_failed" in shown.stdout
    assert shown_json["status"] == "succeeded"
    assert shown_json["metrics"] == {"message": "hello", "phases": 3}
    assert [e["event"] for e in shown_json["events"]][-1] == "job_succeeded"
    assert shown_json["duration_seconds"] >= 0


def test_runs_show_an_unknown_run_exits_2(invoke, state) -> None:
    invoke("run", "noop", "--config", "{}", "--run-id", "run-ok")

    result = invoke("runs", "show", "run-nope")

    assert result.exit_code == 2
    assert "no run with id 'run-nope'" in result.stderr and "run-ok" in result.stderr


def test_runs_with_the_store_off_says_so(invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWH_RUN_STORE", "off")

    result = invoke("runs")

    assert result.exit_code == 2
    assert "run store is off" in result.stderr


def test_runs_rejects_an_unknown_status(invoke, state) -> None:
    result = invoke("runs", "--status", "done")

    assert result.exit_code == 2
    assert "'done' is not one of" in result.stderr


def test_follow_runs_the_triggered_chain_and_links_it(
    invoke, state, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # noop's success starts the `good` fixture job with noop's message as its name.
    monkeypatch.setenv("DWH_JOB_PACKAGES", "dwh.jobs,badjobs")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(CONTRACT_JOBS), *sys.path]))
    monkeypatch.syspath_prepend(str(CONTRACT_JOBS))
    triggers = tmp_path / "triggers.json"
    triggers.write_text(
        json.dumps({"noop": [{"job": "good", "config": {}, "map": {"name": "metrics.message"}}]})
    )
    events = tmp_path / "events.jsonl"

    result = invoke(
        "run",
        "noop",
        "--config",
        '{"message": "from-noop"}',
        "--follow",
        "--triggers",
        str(triggers),
        "--events",
        str(events),
        "--run-id",
        "parent-1",
    )

    assert result.exit_code == 0, result.stderr
    assert "chain: noop parent-1 succeeded" in result.stderr
    assert "chain: good" in result.stderr and "← noop parent-1" in result.stderr
    children = json.loads(invoke("runs", "show", "parent-1", "--json").stdout)["children"]
    assert [(c["job"], c["status"], c["config"]["name"]) for c in children] == [
        ("good", "succeeded", "from-noop")
    ]
    assert {e["job"] for e in events_of(events)} == {"noop", "good"}


def test_follow_without_a_trigger_map_says_how_to_give_one(
    invoke, state, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DWH_TRIGGERS", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").mkdir()

    result = invoke("run", "noop", "--config", "{}", "--follow")

    assert result.exit_code == 2
    assert "--follow needs a trigger map" in result.stderr


def test_follow_and_spark_remote_together_are_refused(invoke) -> None:
    result = invoke("run", "noop", "--config", "{}", "--follow", "--spark-remote", "sc://x:1")

    assert result.exit_code == 2
    assert "--spark-remote cannot be combined with --follow" in result.stderr


def test_run_hands_the_entry_the_production_argument_list() -> None:
    from dwh.cli.run import entry_argv
    from dwh.registry import find_job

    argv = entry_argv(
        find_job("filter_images"),
        '{"base_path": "b"}',
        has_spark=True,
        events="-",
        run_id="r-9",
        spark_remote="sc://127.0.0.1:15002",
        debug=True,
    )

    assert argv == [
        "--module_name", "dwh.jobs.filter_images.filter_images_job_factory",
        "--filter_images_job", '{"base_path": "b"}',
        "--has_spark", "true",
        "--events", "-",
        "--run_id", "r-9",
        "--spark_remote", "sc://127.0.0.1:15002",
        "--debug",
    ]  # fmt: skip


def test_the_dwh_line_and_runs_agree_on_the_job_time_and_label_both(invoke, state) -> None:
    result = invoke("run", "noop", "--config", '{"sleep_seconds": 0.3}', "--run-id", "timed")

    line = next(x for x in result.stderr.splitlines() if x.startswith("dwh: job 'noop'"))
    match = re.search(r"succeeded in (\d+\.\d)s job time, (\d+\.\d)s process wall", line)
    assert match is not None, line
    job_time, wall = float(match[1]), float(match[2])
    recorded = json.loads(invoke("runs", "--json").stdout)[0]["duration_seconds"]
    assert f"{recorded:.1f}" == match[1]
    assert 0.3 <= job_time <= wall
    table = " ".join(invoke("runs").stdout.split())  # the caption wraps with the width
    assert "job time (s)" in table and "process wall" in table
    assert f"job time: {recorded:.1f} s" in invoke("runs", "show", "timed").stdout


@pytest.mark.parametrize("follow", [False, True])
def test_events_at_a_folder_is_a_usage_error_before_anything_runs(
    invoke, state, tmp_path: Path, follow: bool
) -> None:
    folder = tmp_path / "events-folder"
    folder.mkdir()

    result = invoke(
        "run", "noop", "--config", "{}", "--events", str(folder), *(["--follow"] if follow else [])
    )

    assert result.exit_code == 2
    assert result.stderr == (
        f"dwh: error: --events {folder}: is a folder, not a file; "
        "give a file path, - for stdout or fd:N\n"
    )
    assert list(folder.iterdir()) == []
    assert not (state / "runs.db").exists(), "no run was recorded: nothing ran"


def test_events_at_a_fifo_nothing_reads_is_refused_without_blocking(state, tmp_path: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # A real process: if dwh opened the FIFO it would block, and the timeout would say so.
    done = subprocess.run(
        [sys.executable, "-c", DWH, "run", "noop", "--config", "{}", "--events", str(fifo)],
        capture_output=True, text=True, timeout=60, env=env, check=False, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 2, done.stderr
    assert "is a FIFO that nothing reads" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("", "--events '': give a file path"),
        ("fd:x", "fd: takes a file descriptor number"),
        ("fd:987", "file descriptor 987 is not open"),
    ],
)
def test_other_bad_events_targets_are_one_line_usage_errors(
    invoke, state, target: str, problem: str
) -> None:
    result = invoke("run", "noop", "--config", "{}", "--events", target)

    assert result.exit_code == 2
    assert problem in result.stderr and result.stderr.count("\n") == 1
    assert not (state / "runs.db").exists()

"""Trigger maps and the local runner: a success starts the next job, with lineage."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import REPO, SUPPORT_DIR, job_env

from dwh.errors import UsageError
from dwh.events import Event
from dwh.launch import launch
from dwh.runs.store import RunStore
from dwh.testing import RecordingEventPublisher
from dwh.triggers import check_jobs, load_trigger_map, run_with_triggers
from dwh.triggers.trigger_map import TriggerMap, TriggerMapError, downstream_config, resolve

CHAIN = {
    "noop": [
        {
            "job": "relay",
            "config": {"api_token": "not-shown"},
            "map": {"message": "metrics.message"},
        }
    ]
}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Job processes and this process agree on the store and the job packages."""
    environment = job_env(tmp_path, DWH_ALERTS="off")
    for name in ("DWH_HOME", "DWH_JOB_PACKAGES", "DWH_ALERTS", "PYTHONPATH"):
        monkeypatch.setenv(name, environment[name])
    for name in ("DWH_RUN_STORE", "DWH_TRIGGERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    return environment


def store_of(env: dict[str, str]) -> RunStore:
    return RunStore(Path(env["DWH_HOME"]) / "runs.db")


# The map itself.


def test_map_is_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(CHAIN))

    triggers = TriggerMap.load(path)

    (trigger,) = triggers.downstream("noop")
    assert trigger.job == "relay"
    assert trigger.map == {"message": "metrics.message"}
    assert triggers.downstream("relay") == ()
    assert triggers.reachable("noop") == ["relay"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"a": [{"jbo": "b"}]}, "unknown key 'a[0].jbo': did you mean 'job'?"),
        ({"a": [{}]}, "'a[0].job': required field is missing"),
        ({"a": [{"job": "b", "map": {"x": "outputz.p"}}]}, "must start with one of: outputs."),
        ({"a": [{"job": "b", "map": {"x": "outputs."}}]}, "is not a dotted path"),
        ({"a": [{"job": "b", "config": {"triggered_by_job": "z"}}]}, "is set by the runner"),
        ({"a": [{"job": "b", "config": {"x": 1}, "map": {"x": "run_id"}}]}, "in both config"),
        ({"a": [{"job": "b"}], "b": [{"job": "c"}], "c": [{"job": "a"}]}, "cycle: a → b → c → a"),
        ({"a": [{"job": "a"}]}, "cycle: a → a"),
    ],
)
def test_invalid_maps_are_refused_with_one_clear_line(data: Any, message: str) -> None:
    with pytest.raises(TriggerMapError) as info:
        TriggerMap.from_dict(data, source="t.json")

    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_missing_or_malformed_file(tmp_path: Path) -> None:
    with pytest.raises(TriggerMapError, match="cannot read trigger map"):
        TriggerMap.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": [')
    with pytest.raises(TriggerMapError, match=r"not valid JSON: .* \(line 1, column 8\)"):
        TriggerMap.load(bad)


def test_unknown_jobs_and_fields_are_caught_before_anything_runs(env: dict[str, str]) -> None:
    typo = TriggerMap.from_dict({"noop": [{"job": "rely"}]})
    with pytest.raises(TriggerMapError, match="unknown job 'rely'; did you mean 'relay'"):
        check_jobs(typo, "noop")

    bad_field = TriggerMap.from_dict({"noop": [{"job": "relay", "map": {"mesage": "run_id"}}]})
    with pytest.raises(TriggerMapError, match="no config field 'mesage': did you mean 'message'"):
        check_jobs(bad_field, "noop")

    with pytest.raises(UsageError, match="unknown job 'nop'"):
        run_with_triggers("nop", {}, trigger_map=TriggerMap.empty())


def test_resolve_and_downstream_config() -> None:
    result = {"run_id": "r1", "metrics": {"n": 3}, "outputs": {"out": "/p"}, "config": {}}
    trigger = TriggerMap.from_dict(
        {"a": [{"job": "b", "config": {"k": 1}, "map": {"path": "outputs.out", "up": "run_id"}}]}
    ).downstream("a")[0]

    assert resolve("metrics.n", result) == 3
    with pytest.raises(KeyError, match=r"'outputs.missing' is not in outputs \(it has: out\)"):
        resolve("outputs.missing", result)
    assert downstream_config(trigger, result, job="a", run_id="r1") == {
        "k": 1,
        "path": "/p",
        "up": "r1",
        "triggered_by_job": "a",
        "triggered_by_run_id": "r1",
    }


def test_map_comes_from_dwh_triggers_when_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(CHAIN))
    monkeypatch.setenv("DWH_TRIGGERS", str(path))
    assert load_trigger_map().downstream("noop")[0].job == "relay"
    monkeypatch.delenv("DWH_TRIGGERS")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").mkdir()  # and dwh.jobs holds no triggers.json
    assert load_trigger_map().triggers == {}


def test_example_trigger_map_is_valid() -> None:
    triggers = TriggerMap.load(REPO / "examples" / "triggers.json")

    check_jobs(triggers, "transform_images")
    assert triggers.reachable("transform_images") == ["filter_images"]


# The runner.


def test_a_chain_of_two_jobs_links_parent_and_child(env: dict[str, str]) -> None:
    recorder = RecordingEventPublisher()

    runs = run_with_triggers(
        "noop", {"message": "passed on"}, trigger_map=TriggerMap.from_dict(CHAIN), events=recorder
    )

    parent, child = runs
    assert [(r.job, r.status, r.exit_code) for r in runs] == [
        ("noop", "succeeded", 0),
        ("relay", "succeeded", 0),
    ]
    assert (child.triggered_by_job, child.triggered_by_run_id) == ("noop", parent.run_id)
    assert child.metrics == {"message": "passed on", "length": 9}
    assert child.outputs == {"relayed": "relay/passed on"}
    # Every event of both runs reached the watcher, in order.
    assert [(e.job, e.event) for e in recorder.events if e.event != "phase_finished"] == [
        ("noop", "job_started"),
        ("noop", "job_succeeded"),
        ("relay", "job_started"),
        ("relay", "job_succeeded"),
    ]
    assert {e.triggered_by_run_id for e in recorder.events if e.job == "relay"} == {parent.run_id}

    store = store_of(env)
    assert [r.run_id for r in store.children(parent.run_id)] == [child.run_id]
    stored_child = store.get(child.run_id)
    assert stored_child is not None
    assert (stored_child.triggered_by_job, stored_child.triggered_by_run_id) == (
        "noop",
        parent.run_id,
    )
    assert stored_child.config["api_token"] == "***"
    assert [r.job for r in store.lineage(child.run_id)] == ["noop", "relay"]


def test_without_follow_only_the_first_job_runs(env: dict[str, str]) -> None:
    runs = run_with_triggers("noop", "{}", follow=False, trigger_map=TriggerMap.from_dict(CHAIN))

    assert [r.job for r in runs] == ["noop"]
    assert store_of(env).children(runs[0].run_id) == []


def test_a_failed_run_triggers_nothing(env: dict[str, str]) -> None:
    runs = run_with_triggers(
        "noop", {"fail_with": "upstream broke"}, trigger_map=TriggerMap.from_dict(CHAIN)
    )

    (only,) = runs
    assert (only.status, only.exit_code, only.error) == (
        "failed",
        1,
        "RuntimeError: upstream broke",
    )
    record = store_of(env).get(only.run_id)
    assert record is not None and record.status == "failed"


def test_siblings_run_in_map_order_and_a_bad_mapping_is_rejected(env: dict[str, str]) -> None:
    fan_out = {
        "noop": [
            {"job": "relay", "map": {"message": "outputs.nothing_here"}},
            {"job": "relay", "map": {"message": "run_id"}},
            {"job": "relay", "config": {"message": 42}},
        ]
    }

    parent, bad_map, good, bad_config = run_with_triggers(
        "noop", {}, trigger_map=TriggerMap.from_dict(fan_out)
    )

    assert (bad_map.status, bad_map.exit_code) == ("rejected", None)
    assert "'outputs.nothing_here' is not in outputs" in (bad_map.error or "")
    assert (good.status, good.metrics) == ("succeeded", {"message": parent.run_id, "length": 23})
    assert (bad_config.status, bad_config.exit_code) == ("rejected", 2)
    assert "message" in (bad_config.error or "") and "invalid config" in (bad_config.error or "")
    assert [r.run_id for r in store_of(env).children(parent.run_id)] == [good.run_id]


def test_a_process_that_dies_is_marked_failed_in_the_store(
    env: dict[str, str], tmp_path: Path
) -> None:
    recorder = RecordingEventPublisher()
    started = threading.Event()

    class KillOnStart:
        def publish(self, event: Event) -> None:
            recorder.publish(event)
            if event.event == "job_started":
                started.set()
                pids = subprocess.run(
                    ["pgrep", "-f", "--", f"run_id {event.run_id}"],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.split()
                for pid in pids:
                    subprocess.run(["kill", "-9", pid], check=False)

    run = launch("noop", {"sleep_seconds": 30}, run_id="doomed-run", events=KillOnStart())

    assert started.is_set()
    assert run.status == "failed"
    assert run.exit_code == -9
    record = store_of(env).get("doomed-run")
    assert record is not None
    assert record.status == "failed"
    assert "died (SIGKILL)" in (record.error or "")


def test_cancelling_the_runner_cancels_the_job_and_stops_the_chain(env: dict[str, str]) -> None:
    class InterruptOnStart:
        def __init__(self) -> None:
            self.names: list[str] = []

        def publish(self, event: Event) -> None:
            self.names.append(event.event)
            if event.event == "job_started":
                raise KeyboardInterrupt

    # The watcher raising KeyboardInterrupt stands in for Ctrl-C in the runner.
    watcher = InterruptOnStart()
    try:
        runs = run_with_triggers(
            "noop",
            {"sleep_seconds": 30},
            trigger_map=TriggerMap.from_dict(CHAIN),
            events=watcher,
        )
    except KeyboardInterrupt:
        pytest.fail("the runner must turn Ctrl-C into a cancelled run, not raise")

    (run,) = runs
    assert run.status == "cancelled"
    assert run.exit_code == 130
    assert watcher.names[-1] == "job_failed"
    record = store_of(env).get(run.run_id)
    assert record is not None and record.status == "cancelled"


def test_command_line_runs_the_chain(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(CHAIN))
    config = tmp_path / "c.json"
    config.write_text('{"message": "cli"}')
    argv = [sys.executable, "-m", "dwh.triggers", "noop", "--config", f"@{config}"]

    ok = subprocess.run(
        [*argv, "--triggers", str(path)], env=env, capture_output=True, text=True, check=False
    )
    bad = subprocess.run(
        [*argv, "--triggers", str(tmp_path / "missing.json")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert ok.returncode == 0, ok.stderr
    chain = [line for line in ok.stderr.splitlines() if line.startswith("dwh: chain:")]
    assert len(chain) == 2
    assert "relay run" in chain[1] and "triggered by noop run" in chain[1]
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"dwh: error: cannot read trigger map {tmp_path / 'missing.json'}: No such file or directory"
    ]


@pytest.mark.spark
def test_example_map_chains_transform_into_filter_on_spark(
    env: dict[str, str], tmp_path: Path
) -> None:
    import datetime as dt

    from examples.generate_images import generate_batches, write_batches

    day = dt.date(2026, 11, 24)
    raw = write_batches(generate_batches(7, 40, (day,)), tmp_path / "raw")
    data = json.loads((REPO / "examples" / "triggers.json").read_text())
    data["transform_images"][0]["config"].update(
        base_path=str(tmp_path / "filtered"), run_date=day.isoformat()
    )
    spark_env = {"PYSPARK_SUBMIT_ARGS": "--conf spark.ui.enabled=false pyspark-shell"}

    transform, filtering = run_with_triggers(
        "transform_images",
        {"raw_path": str(raw[day]), "output_path": str(tmp_path / "transformed")},
        trigger_map=TriggerMap.from_dict(data),
        env=spark_env,
    )

    assert (transform.status, filtering.status) == ("succeeded", "succeeded"), filtering.error
    assert filtering.triggered_by_run_id == transform.run_id
    assert filtering.config["transform_output_path"] == transform.outputs["output_path"]
    assert filtering.metrics["input_rows"] == transform.metrics["output_rows"]
    children = store_of(env).children(transform.run_id)
    assert [(r.job, r.status) for r in children] == [("filter_images", "succeeded")]

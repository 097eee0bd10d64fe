"""Trigger maps found without a flag, and ``dwh run``'s line about stale upstream data."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lifecycle_support import SUPPORT_DIR, TEST_JOB_PACKAGES

from dwh.cli import cli
from dwh.events import Event
from dwh.runs.store import RunStore
from dwh.triggers import TriggerMapError, load_trigger_map, trigger_map_files
from dwh.triggers.trigger_map import TriggerMap


def _package(root: Path, name: str, triggers: object) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "triggers.json").write_text(json.dumps(triggers))


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two team packages beside the test jobs, each with a triggers.json; cwd has none."""
    root = tmp_path / "src"
    _package(root, "team_one", {"noop": [{"job": "relay", "config": {"message": "one"}}]})
    _package(
        root,
        "team_two",
        {"noop": [{"job": "relay", "map": {"message": "metrics.message"}}]},
    )
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("DWH_JOB_PACKAGES", f"{TEST_JOB_PACKAGES},team_one,team_two")
    path = os.pathsep.join([str(root), str(SUPPORT_DIR), *sys.path])
    monkeypatch.setenv("PYTHONPATH", path)
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DWH_ALERTS", "off")
    for name in ("DWH_TRIGGERS", "DWH_RUN_STORE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no examples/ here
    (tmp_path / "examples").mkdir()
    yield root


def test_every_job_packages_map_is_found_and_merged_in_package_order(packages: Path) -> None:
    assert trigger_map_files() == [
        packages / "team_one" / "triggers.json",
        packages / "team_two" / "triggers.json",
    ]

    merged = load_trigger_map()

    assert [t.config for t in merged.downstream("noop")] == [{"message": "one"}, {}]
    assert merged.reachable("noop") == ["relay"]
    assert "team_one/triggers.json + " in merged.source


def test_maps_that_make_a_cycle_together_are_refused(tmp_path: Path) -> None:
    one = TriggerMap.from_dict({"a": [{"job": "b"}]}, source="one.json")
    two = TriggerMap.from_dict({"b": [{"job": "a"}]}, source="two.json")

    with pytest.raises(TriggerMapError, match=r"one.json \+ two.json has a cycle: a → b → a"):
        TriggerMap.merge([one, two])


def test_follow_needs_no_flag_when_the_job_packages_hold_the_map(packages: Path) -> None:
    result = CliRunner().invoke(
        cli, ["run", "noop", "-c", '{"message": "hi"}', "--follow", "--run-id", "up-1"]
    )

    assert result.exit_code == 0, result.stderr
    chain = [line for line in result.stderr.splitlines() if line.startswith("chain: ")]
    assert len(chain) == 3, result.stderr
    with RunStore(packages.parent / "home" / "runs.db", create=False) as store:
        names = sorted(child.config["message"] for child in store.children("up-1"))
    assert names == ["hi", "one"]


def _record_run(store: RunStore, job: str, run_id: str, at: str, **end: object) -> None:
    config = end.pop("config", {})
    store.record(Event("job_started", job, run_id, {"config": config}, at=at))
    name = "job_succeeded" if "outputs" in end else "job_failed"
    store.record(Event(name, job, run_id, dict(end), at=at))


def test_run_says_when_an_input_is_a_failed_upstream_jobs_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    output = tmp_path / "stg_orders"
    with RunStore(tmp_path / "home" / "runs.db") as store:
        _record_run(
            store, "stg_orders", "up-ok", "2026-12-01T10:00:00Z", outputs={"o": str(output)}
        )
        _record_run(store, "stg_orders", "up-bad", "2026-12-02T10:00:00Z", error_type="Boom")
    runner = CliRunner()

    result = runner.invoke(cli, ["run", "noop", "-c", json.dumps({"message": str(output)})])

    assert result.exit_code == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("dwh: warning")]
    assert line == (
        f"dwh: warning: message ({output}) is the output of stg_orders, whose last run "
        "up-bad failed; it holds run up-ok's"
    )
    quiet = runner.invoke(cli, ["run", "noop", "-c", json.dumps({"message": "elsewhere"})])
    assert "warning" not in quiet.stderr


def test_run_says_when_the_upstream_run_is_older_than_its_own_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    raw, output = tmp_path / "raw", tmp_path / "stg_orders"
    raw.mkdir()
    (raw / "orders.csv").write_text("id\n1\n")  # changed now, after the run below started
    output.mkdir()
    config = {"source_path": str(raw), "output_path": str(output)}
    with RunStore(tmp_path / "home" / "runs.db") as store:
        _record_run(
            store,
            "stg_orders",
            "up-1",
            "2026-12-01T10:00:00Z",
            outputs={"o": str(output)},
            config=config,
        )

    result = CliRunner().invoke(cli, ["run", "noop", "-c", json.dumps({"message": str(output)})])

    assert result.exit_code == 0, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("dwh: warning")]
    assert line.startswith(
        f"dwh: warning: message ({output}) is the output of stg_orders, whose last run up-1 "
        "started before its input source_path changed ("
    )
    assert line.endswith("UTC); run stg_orders first for current data")

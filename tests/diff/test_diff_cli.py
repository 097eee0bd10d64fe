"""``dwh diff`` and the summary ``dwh run`` prints: output, --json, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from diff_data import commit_version, edited, expected_by_key, expected_multiset, old_rows

from dwh.diff.summary import run_summaries
from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run

REPO = Path(__file__).resolve().parents[2]


def test_json_is_one_object_of_the_documented_shape(tmp_path: Path, store, invoke) -> None:
    old, new = old_rows(), edited(old_rows())
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    record_succeeded_run(store, "R1", "x", {"output_path": "out"})
    result = invoke("diff", "R1", "--key", "id", "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    want = expected_by_key(old, new, "id")
    assert set(shown) == {
        "version", "output", "old", "new", "schema", "key", "key_source", "rows", "columns",
        "samples", "summary",
    }  # fmt: skip
    assert shown["rows"] == {
        "old": len(old),
        "new": len(new),
        "only_old": want["only_old"],
        "only_new": want["only_new"],
        "both": want["both"],
        "changed": want["changed"],
    }
    assert {c["name"]: c["changed"] for c in shown["columns"]} == want["columns"]
    assert shown["new"]["run_id"] == "R1" and shown["old"]["label"] == "previous"
    assert shown["key"] == ["id"] and shown["key_source"] == "option"
    assert len(shown["samples"]) == 3 and set(shown["samples"][0]) == {"key", "old", "new"}


def test_text_output_says_which_key_and_shows_old_beside_new(tmp_path: Path, store, invoke) -> None:
    commit_version(tmp_path / "out", old_rows(40))
    commit_version(tmp_path / "out", edited(old_rows(40)))
    result = invoke("diff", "out", "--key", "id")
    assert result.exit_code == 0
    text = result.stdout
    assert text.splitlines()[0].startswith("out: 40 → 43 rows (+3), ")  # 4 gone, 7 new
    assert "key: id (from --key)" in text and "changed per column" in text
    assert "cam-x" in text  # a recoloured row's new value, beside its old one
    nokey = invoke("diff", "out").stdout
    assert "no key: whole rows compared as multisets" in nokey


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["diff", "nowhere"],
            2,
            "dwh: error: no file or folder at nowhere, and no run with that id",
        ),
        (["diff", "first"], 2, "dwh: error: first has no previous version to diff against"),
        (["diff", "out", "--key", "nope"], 2, "dwh: error: key column 'nope' is not in the old"),
        (
            ["diff", "out", "--key", "camera"],
            2,
            "dwh: error: key (camera) is not unique in the old",
        ),
        (["diff", "out", "--against", "R9"], 2, "dwh: error: --against 'R9' is not 'previous'"),
        (["diff", "out", "--key", "id,"], 2, "dwh: error: --key 'id,' has an empty column name"),
        (["diff", "broken"], 1, "dwh: error: cannot read parquet at"),
    ],
)
def test_bad_input_is_one_line_with_its_exit_code(
    tmp_path: Path, store, invoke, args: list[str], code: int, message: str
) -> None:
    commit_version(tmp_path / "out", old_rows(20))
    commit_version(tmp_path / "out", edited(old_rows(20)))
    commit_version(tmp_path / "first", old_rows(5))
    commit_version(tmp_path / "broken", old_rows(5))
    commit_version(tmp_path / "broken", old_rows(6))
    next((tmp_path / "broken").glob("*.parquet")).write_bytes(b"PAR1 broken PAR1")
    result = invoke(*args)
    assert result.exit_code == code
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_run_summaries_skip_first_runs_and_never_raise(tmp_path: Path, store: RunStore) -> None:
    commit_version(tmp_path / "a", old_rows(20))
    commit_version(tmp_path / "b", old_rows(20))
    commit_version(tmp_path / "b", edited(old_rows(20)))
    commit_version(tmp_path / "c", old_rows(20))
    commit_version(tmp_path / "c", old_rows(20))
    next((tmp_path / "c").glob("*.parquet")).write_bytes(b"PAR1 broken PAR1")
    outputs = {"first": "a", "second": "b", "broken": "c", "remote": "s3://bucket/x"}
    record_succeeded_run(store, "R1", "x", outputs)
    lines = [s.line for s in run_summaries("R1", store=store)]
    gone, added = expected_multiset(old_rows(20), edited(old_rows(20)))
    want = f"second: 20 → 25 rows (+5), {gone} rows only before, {added} only after"
    assert lines[0] == want
    assert lines[1].startswith("broken: no diff: DataReadError: cannot read parquet at")
    assert len(lines) == 2, "no line for a first version or a remote output"
    assert run_summaries("NOPE", store=store) == []


def test_a_diff_over_its_time_bound_is_left_behind_with_a_line(
    tmp_path: Path, store: RunStore
) -> None:
    commit_version(tmp_path / "b", old_rows(50_000))
    commit_version(tmp_path / "b", edited(old_rows(50_000)))
    record_succeeded_run(store, "R1", "x", {"output_path": "b"})
    [summary] = run_summaries("R1", store=store, budget_seconds=0)
    assert summary.diff is None
    assert summary.line == (
        "output_path: no diff, it took longer than 0s (run it: dwh diff R1 --output output_path)"
    )


def _dwh(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``dwh ARGS`` in a fresh interpreter, as a user runs it."""
    command = [sys.executable, "-c", "import sys; from dwh.cli import main; sys.exit(main())"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_dwh_run_prints_what_the_edited_run_changed(tmp_path: Path) -> None:
    """Run, edit (variant 1 drops 10 rows and widens 20), run again: one summary line."""
    fixtures = Path(__file__).parent / "fixtures"
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{REPO}:{fixtures}",
        "DWH_HOME": str(tmp_path / "home"),
        "DWH_JOB_PACKAGES": "diffjobs",
        "DWH_ALERTS": "off",
    }
    config = {"output_path": "data/images", "rows": 100, "variant": 0}
    first = _dwh(["run", "widths", "--config", json.dumps(config)], tmp_path, env)
    assert first.returncode == 0, first.stderr
    assert "diff:" not in first.stderr, "a first run has nothing to diff against"
    config["variant"] = 1
    second = _dwh(["run", "widths", "--config", json.dumps(config)], tmp_path, env)
    assert second.returncode == 0, second.stderr
    lines = [line for line in second.stderr.splitlines() if line.startswith("diff:")]
    assert lines == ["diff: output_path: 100 → 90 rows (-10), 20 changed in 'width'"]
    quiet = _dwh(["run", "widths", "--config", json.dumps(config), "--no-diff"], tmp_path, env)
    assert quiet.returncode == 0 and "diff:" not in quiet.stderr
    (tmp_path / "triggers.json").write_text("{}")
    config["variant"] = 0
    follow = ["run", "widths", "--config", json.dumps(config), "--follow"]
    chain = _dwh([*follow, "--triggers", "triggers.json"], tmp_path, env)
    assert chain.returncode == 0, chain.stderr
    lines = [line for line in chain.stderr.splitlines() if line.startswith("diff:")]
    assert lines == ["diff: output_path: 90 → 100 rows (+10), 20 changed in 'width'"]

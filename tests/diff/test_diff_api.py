"""dwh.diff on data with known changes; every count checked against plain Python."""

from __future__ import annotations

from pathlib import Path

import pytest
from diff_data import (
    commit_version,
    edited,
    expected_by_key,
    expected_multiset,
    old_rows,
    write_files,
)

from dwh.diff import KeySource, diff, diff_with_rows
from dwh.errors import DataReadError, DiffKeyError, DiffTargetError, PreviewTargetError
from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run


def _check_by_key(found, old, new, key="id") -> None:  # type: ignore[no-untyped-def]
    want = expected_by_key(old, new, key)
    assert (found.only_old, found.only_new, found.both) == (
        want["only_old"],
        want["only_new"],
        want["both"],
    )
    assert found.changed_rows == want["changed"]
    assert {c.name: c.changed for c in found.columns} == want["columns"]
    assert (found.old.rows, found.new.rows) == (len(old), len(new))


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_rows_added_removed_and_changed_by_key(tmp_path: Path, store: RunStore, fmt: str) -> None:
    old, new = old_rows(), edited(old_rows())
    commit_version(tmp_path / "out", old, fmt)
    commit_version(tmp_path / "out", new, fmt)
    found = diff("out", key=["id"], limit=5)
    _check_by_key(found, old, new)
    assert found.key == ("id",) and found.key_source is KeySource.OPTION
    assert found.old.format == found.new.format == fmt
    assert len(found.samples) == 5
    before = {r["id"]: r for r in old}
    for sample in found.samples:
        ident = sample["key"]["id"]
        assert sample["old"] == {c: before[ident][c] for c in sample["old"]}
        assert sample["old"] and sample["old"].keys() == sample["new"].keys()
        assert all(sample["old"][c] != sample["new"][c] for c in sample["old"])


def test_partitioned_outputs_diff_with_the_partition_columns(
    tmp_path: Path, store: RunStore
) -> None:
    old, new = old_rows(), edited(old_rows())
    moved = [dict(r, day=26) if r["id"] == 5 else r for r in new]  # a row changes partition
    commit_version(tmp_path / "t", old, partition_by=["day"])
    commit_version(tmp_path / "t", moved, partition_by=["day"])
    found = diff("t", key=["id"])
    _check_by_key(found, old, moved)
    assert {c.name: c.changed for c in found.columns}["day"] == 1


def test_without_a_key_whole_rows_are_compared_as_multisets(
    tmp_path: Path, store: RunStore
) -> None:
    old = old_rows(60)
    new = [*edited(old), old[1], old[1]]  # repeats count: two more copies of one row
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    found = diff("out")
    assert found.key == () and found.key_source is KeySource.NONE
    assert (found.only_old, found.only_new) == expected_multiset(old, new)
    assert found.both == len(old) - found.only_old
    assert {s["side"] for s in found.samples} <= {"old", "new"}


def test_columns_added_removed_and_retyped(tmp_path: Path, store: RunStore) -> None:
    old = old_rows(30)
    new = [
        {
            "id": r["id"],
            "width": r["width"] + (0.5 if r["id"] == 3 else 0.0),
            "camera": r["camera"],
            "lens": "50mm",
        }
        for r in old
    ]
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    found = diff("out", key=["id"])
    assert found.schema.added == (("lens", "string"),)
    assert found.schema.removed == (("day", "int64"),)
    assert found.schema.retyped == (("width", "int64", "double"),)
    # a retyped column compares as text: 640 and 640.0 are both "640", unchanged
    assert {c.name: c.changed for c in found.columns} == {"width": 1, "camera": 0}
    assert "columns +lens -day ~width" in found.summary_line()


def test_a_repeated_key_is_refused_with_the_count_and_two_examples(
    tmp_path: Path, store: RunStore
) -> None:
    old = old_rows(20)
    new = [*old, old[3], old[4], old[4]]
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    with pytest.raises(DiffKeyError) as caught:
        diff("out", key=["id"])
    assert str(caught.value).startswith(
        "key (id) is not unique in the new version: 2 key values are repeated, e.g. 3 and 4"
    )
    assert caught.value.exit_code == 2


def test_a_key_column_missing_on_either_side_is_refused(tmp_path: Path, store: RunStore) -> None:
    old = old_rows(10)
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", [{"ident": r["id"], "width": r["width"]} for r in old])
    with pytest.raises(DiffKeyError, match="key column 'id' is not in the new version"):
        diff("out", key=["id"])
    with pytest.raises(DiffKeyError, match="key column 'ident' is not in the old version"):
        diff("out", key=["ident"])


def test_no_previous_version_unknown_target_and_a_corrupt_file(
    tmp_path: Path, store: RunStore
) -> None:
    commit_version(tmp_path / "out", old_rows(5))
    with pytest.raises(DiffTargetError, match=r"has no previous version.*written only once"):
        diff("out")
    with pytest.raises(PreviewTargetError, match="no file or folder at nowhere"):
        diff("nowhere")
    commit_version(tmp_path / "out", old_rows(6))
    [part] = (tmp_path / "out").glob("*.parquet")
    part.write_bytes(b"PAR1 this is not a parquet file PAR1")
    with pytest.raises(DataReadError) as caught:
        diff("out")
    assert caught.value.exit_code == 1


def test_a_run_id_diffs_its_version_against_the_one_it_replaced_and_names_both_runs(
    tmp_path: Path, store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_KEEP_VERSIONS", "2")
    versions = [old_rows(50), edited(old_rows(50)), edited(edited(old_rows(50)))]
    for n, rows in enumerate(versions):
        commit_version(tmp_path / "out", rows)
        record_succeeded_run(
            store, f"R{n}", "x", {"output_path": "out"}, minute=f"2026-11-25T18:3{n}"
        )
    latest = diff("R2", key=["id"])
    assert (latest.old.run_id, latest.new.run_id, latest.output) == ("R1", "R2", "output_path")
    _check_by_key(latest, versions[1], versions[2])
    middle = diff("R1", key=["id"])  # R1's version is now the first kept previous one
    assert (middle.old.run_id, middle.new.run_id) == ("R0", "R1")
    _check_by_key(middle, versions[0], versions[1])
    against = diff("R2", against="R0", key=["id"])
    assert (against.old.run_id, against.new.run_id) == ("R0", "R2")
    _check_by_key(against, versions[0], versions[2])
    with pytest.raises(DiffTargetError, match="no previous version"):
        diff("R0")  # its baseline was never kept: R0 wrote the first version
    commit_version(tmp_path / "out", old_rows(3))
    record_succeeded_run(store, "R3", "x", {"output_path": "out"}, minute="2026-11-25T18:40")
    with pytest.raises(DiffTargetError, match=r"R0's version of .* is no longer kept"):
        diff("R0")


def test_against_a_path_compares_with_any_dataset(tmp_path: Path, store: RunStore) -> None:
    old, new = old_rows(40), edited(old_rows(40))
    golden = tmp_path / "golden"
    write_files(golden, old, "csv")
    commit_version(tmp_path / "out", new)
    found = diff("out", against=str(golden), key=["id"])
    _check_by_key(found, old, new)
    assert found.old.label == str(golden) and found.old.format == "csv"


def test_the_jobs_declared_key_is_used_and_named(
    tmp_path: Path, store: RunStore, diffjobs: None
) -> None:
    old = [{"image_id": r["id"], **r} for r in old_rows(30)]
    new = [{"image_id": r["id"], **r} for r in edited(old_rows(30))]
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    record_succeeded_run(store, "W1", "widths", {"output_path": "out"})
    found = diff("W1")
    assert found.key == ("image_id",) and found.key_source is KeySource.JOB
    assert found.only_old == len({r["id"] for r in old} - {r["id"] for r in new})


def test_diff_with_rows_gives_every_changed_row_old_beside_new(
    tmp_path: Path, store: RunStore
) -> None:
    old, new = old_rows(), edited(old_rows())
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    shown = diff_with_rows("out", key=["id"], limit=0)
    assert shown.diff.samples == ()
    table = shown.changed
    assert table.num_rows == expected_by_key(old, new, "id")["changed"]
    assert table.column_names == ["id", "width_old", "width_new", "camera_old", "camera_new"]
    before, after = {r["id"]: r for r in old}, {r["id"]: r for r in new}
    for row in table.to_pylist():
        assert row["width_old"] == before[row["id"]]["width"]
        assert row["camera_new"] == after[row["id"]]["camera"]


def test_nulls_nans_and_nested_values_compare_as_values(tmp_path: Path, store: RunStore) -> None:
    nan = float("nan")
    old = [
        {"id": 1, "score": None, "ratio": nan, "tags": ["a"], "note": None},
        {"id": 2, "score": 1.5, "ratio": 0.5, "tags": ["a", "b"], "note": "x"},
        {"id": 3, "score": None, "ratio": 1.0, "tags": [], "note": "y"},
        {"id": None, "score": 2.0, "ratio": 2.0, "tags": ["z"], "note": "null key"},
    ]
    new = [
        {"id": 1, "score": None, "ratio": nan, "tags": ["a"], "note": None},  # unchanged
        {"id": 2, "score": None, "ratio": 0.5, "tags": ["b", "a"], "note": "x"},  # 2 changes
        {"id": 3, "score": 4.0, "ratio": nan, "tags": [], "note": None},  # 3 changes
        {"id": None, "score": 2.0, "ratio": 2.0, "tags": ["z"], "note": "null key"},  # same
    ]
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    found = diff("out", key=["id"])
    assert (found.only_old, found.only_new, found.both) == (0, 0, 4), "a null key matches"
    assert {c.name: c.changed for c in found.columns} == {
        "score": 2,
        "ratio": 1,
        "tags": 1,
        "note": 1,
    }
    assert found.changed_rows == 2
    assert diff("out").only_old == 2, "as multisets: the two changed rows"


def test_a_run_whose_version_was_never_recorded_is_refused_once_others_are(
    tmp_path: Path, store: RunStore
) -> None:
    import sqlite3

    for n in range(2):
        commit_version(tmp_path / "out", old_rows(10 + n))
        record_succeeded_run(
            store, f"R{n}", "x", {"output_path": "out"}, minute=f"2026-11-25T18:3{n}"
        )
    with sqlite3.connect(store.path) as conn:  # as a store from before schema 4 left it
        conn.execute("DELETE FROM output_versions WHERE run_id = 'R0'")
    assert diff("R1").old.rows == 10
    with pytest.raises(DiffTargetError, match="no record of which version"):
        diff("R0")


def test_the_outputs_declared_unique_check_is_the_key_and_is_named(
    tmp_path: Path, store: RunStore
) -> None:
    """transform_images declares unique(image_id) on output_path; a config may add checks."""
    rows = [{"image_id": f"img-{r['id']}", **r} for r in old_rows(30)]
    changed = [{"image_id": f"img-{r['id']}", **r} for r in edited(old_rows(30))]
    for name in ("images", "rejects", "warned"):
        commit_version(tmp_path / name, rows)
        commit_version(tmp_path / name, changed)
    config = {
        "output_checks": {
            "rejects_path": [{"unique": ["id"]}],
            "warned_path": [{"unique": ["camera"], "severity": "warn"}],
        }
    }
    outputs = {"output_path": "images", "rejects_path": "rejects", "warned_path": "warned"}
    record_succeeded_run(store, "T1", "transform_images", outputs, config=config)
    declared = diff("T1", output="output_path")
    assert declared.key == ("image_id",) and declared.key_source is KeySource.UNIQUE_CHECK
    _check_by_key(declared, rows, changed, key="image_id")
    configured = diff("T1", output="rejects_path")
    assert configured.key == ("id",) and configured.key_source is KeySource.UNIQUE_CHECK
    warned = diff("T1", output="warned_path")
    assert warned.key == () and warned.key_source is KeySource.NONE, "a warning is no promise"


def test_a_single_file_output_diffs_against_the_file_it_replaced(
    tmp_path: Path, store: RunStore
) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from dwh.services.atomic_commit import commit_file

    old, new = old_rows(50), edited(old_rows(50))
    for rows in (old, new):
        staged = tmp_path / ".report.csv.dwh-staging-1-ab"
        pacsv.write_csv(pa.Table.from_pylist(rows), staged)
        commit_file(staged, tmp_path / "report.csv")
    found = diff("report.csv", key=["id"])
    _check_by_key(found, old, new)
    assert found.old.format == "csv"

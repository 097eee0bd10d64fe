"""``dwh preview``: every format and layout, the --json shape, runs, and the bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from preview_datasets import LAYOUTS, ROWS, arrow_count, sample_table

from dwh.errors import ExitCode
from dwh.testing.outputs import record_succeeded_run, write_images_outputs

PREVIEW_JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["path", "format", "row_count", "schema", "rows"],
    "additionalProperties": False,
    "properties": {
        "path": {"type": "string"},
        "format": {"enum": ["parquet", "csv", "json"]},
        "row_count": {"type": "integer", "minimum": 0},
        "schema": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "type"],
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "type": {"type": "string"}},
            },
        },
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}
"""The documented shape of ``dwh preview --json`` (docs/preview.md)."""


def test_each_format_and_layout_counts_as_pyarrow_does(invoke, layout) -> None:
    path, fmt = layout
    result = invoke("preview", str(path), "--limit", "7", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    jsonschema.Draft202012Validator(PREVIEW_JSON_SCHEMA).validate(shown)
    assert shown["format"] == fmt
    assert shown["row_count"] == arrow_count(path, fmt) == ROWS
    assert len(shown["rows"]) == 7
    names = [column["name"] for column in shown["schema"]]
    assert names[:4] == ["id", "name", "score", "at"]
    assert all(row["name"] == f"row-{row['id']}" for row in shown["rows"])


def test_hive_partition_columns_are_in_the_schema_and_rows(invoke, tmp_path: Path) -> None:
    build, _ = LAYOUTS["hive partitioned"]
    path = build(tmp_path)
    shown = json.loads(invoke("preview", str(path), "--json").stdout)
    assert [c["name"] for c in shown["schema"]][-3:] == ["year", "month", "day"]
    assert {row["year"] for row in shown["rows"]} == {2026}


def test_the_table_shows_schema_count_and_rows(invoke, tmp_path: Path) -> None:
    pq.write_table(sample_table(), tmp_path / "t.parquet")
    result = invoke("preview", str(tmp_path / "t.parquet"), "--limit", "3")
    assert result.exit_code == 0
    assert f"{ROWS} rows; showing the first 3" in result.stdout
    assert "timestamp[us, tz=UTC]" in result.stdout
    assert "row-2" in result.stdout and "row-3" not in result.stdout


def test_limit_zero_gives_schema_and_count_only(invoke, tmp_path: Path) -> None:
    pq.write_table(sample_table(), tmp_path / "t.parquet")
    shown = json.loads(
        invoke("preview", str(tmp_path / "t.parquet"), "--limit", "0", "--json").stdout
    )
    assert shown["rows"] == [] and shown["row_count"] == ROWS and len(shown["schema"]) == 4


def test_a_run_with_one_output_is_shown_directly(invoke, store, tmp_path: Path) -> None:
    outputs = write_images_outputs(tmp_path, rows=30, rejects=4)
    record_succeeded_run(
        store, "20261125T183000Z-one", "filter_images", {"output_path": outputs["output_path"]}
    )
    shown = json.loads(invoke("preview", "20261125T183000Z-one", "--json").stdout)
    assert shown["path"] == outputs["output_path"]
    assert shown["row_count"] == 30 and shown["rows"][0]["image_id"] == "img-00000"


def test_a_run_with_several_outputs_lists_them(invoke, store, tmp_path: Path) -> None:
    outputs = write_images_outputs(tmp_path, rows=30, rejects=4)
    record_succeeded_run(store, "20261125T183000Z-two", "transform_images", outputs)
    result = invoke("preview", "20261125T183000Z-two")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for name, path in outputs.items():
        assert name in result.stdout and path in result.stdout
    listed = {name: next(line for line in lines if name in line) for name in outputs}
    assert "parquet" in listed["output_path"] and " 30 " in listed["output_path"]
    assert "parquet" in listed["rejects_path"] and " 4 " in listed["rejects_path"]
    assert "dwh preview 20261125T183000Z-two --output NAME" in result.stdout
    picked = json.loads(
        invoke("preview", "20261125T183000Z-two", "--output", "rejects_path", "--json").stdout
    )
    assert picked["row_count"] == 4
    assert {row["reject_reason"] for row in picked["rows"]} >= {"missing_id", "bad_json"}


def _error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_missing_path_is_a_usage_error(invoke, store, tmp_path: Path) -> None:
    result = invoke("preview", str(tmp_path / "nowhere"))
    assert result.exit_code == ExitCode.USAGE
    assert (
        _error(result)
        == f"dwh: error: no file or folder at {tmp_path / 'nowhere'}, and no run with that id"
    )


def test_unknown_run_id_is_a_usage_error(invoke, store) -> None:
    result = invoke("preview", "20261125T183000Z-nope")
    assert result.exit_code == ExitCode.USAGE
    assert "20261125T183000Z-nope" in _error(result)


def test_a_run_without_outputs_is_a_usage_error(invoke, store, tmp_path: Path) -> None:
    record_succeeded_run(store, "20261125T183000Z-empty", "noop", {})
    result = invoke("preview", "20261125T183000Z-empty")
    assert result.exit_code == ExitCode.USAGE
    assert _error(result) == (
        "dwh: error: run 20261125T183000Z-empty (noop, succeeded) recorded no outputs"
    )


def test_an_unknown_output_name_names_the_real_ones(invoke, store, tmp_path: Path) -> None:
    record_succeeded_run(
        store, "20261125T183000Z-two", "transform_images", write_images_outputs(tmp_path)
    )
    result = invoke("preview", "20261125T183000Z-two", "--output", "nope")
    assert result.exit_code == ExitCode.USAGE
    assert "output_path, rejects_path" in _error(result)


def test_several_outputs_with_json_are_listed_too(invoke, store, tmp_path: Path) -> None:
    # Issue 28 item 23: a listing with exit 0, never "pick one with --output".
    outputs = write_images_outputs(tmp_path, rows=30, rejects=4)
    record_succeeded_run(store, "20261125T183000Z-two", "transform_images", outputs)
    result = invoke("preview", "20261125T183000Z-two", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "run_id": "20261125T183000Z-two",
        "job": "transform_images",
        "outputs": [
            {"name": "output_path", "path": outputs["output_path"], "format": "parquet",
             "row_count": 30},
            {"name": "rejects_path", "path": outputs["rejects_path"], "format": "parquet",
             "row_count": 4},
        ],
    }  # fmt: skip


def test_a_folder_without_data_is_a_usage_error(invoke, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "_SUCCESS").touch()
    result = invoke("preview", str(tmp_path / "empty"))
    assert result.exit_code == ExitCode.USAGE
    assert "holds no data files" in _error(result)


@pytest.mark.parametrize(
    ("name", "content"),
    [("bad.parquet", b"PAR1 not really parquet"), ("bad.jsonl", b'{"a": 1}\n{"a": \n')],
)
def test_a_corrupt_file_fails_with_one_line(
    invoke, tmp_path: Path, name: str, content: bytes
) -> None:
    (tmp_path / name).write_bytes(content)
    result = invoke("preview", str(tmp_path / name))
    assert result.exit_code == ExitCode.JOB_FAILED
    assert _error(result).startswith(
        f"dwh: error: cannot read {name.split('.')[1].replace('jsonl', 'json')} at "
    )


def test_a_truncated_part_file_in_a_folder_fails(invoke, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    pq.write_table(sample_table(), folder / "part-00000.parquet")
    good = (folder / "part-00000.parquet").read_bytes()
    (folder / "part-00001.parquet").write_bytes(good[: len(good) // 2])
    result = invoke("preview", str(folder))
    assert result.exit_code == ExitCode.JOB_FAILED
    assert "cannot read parquet at" in _error(result)


def test_a_negative_limit_is_refused_by_the_option(invoke, tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1]}), tmp_path / "t.parquet")
    result = invoke("preview", str(tmp_path / "t.parquet"), "--limit", "-1")
    assert result.exit_code == ExitCode.USAGE
    assert "--limit" in result.stderr


def _not_a_dataset(root: Path) -> Path:
    """A folder like /etc: config files, a dangling link, a socket, a lock file, a FIFO."""
    import os
    import socket

    folder = root / "etc-like"
    (folder / "modules-load.d").mkdir(parents=True)
    (folder / "modules-load.d" / "modules.conf").symlink_to(folder / "gone.conf")
    (folder / "hosts").write_text("127.0.0.1 localhost\n")
    (folder / "passwd.lock").touch()
    (folder / "part-00000.json").symlink_to(folder / "nowhere.json")  # data-named, dangling
    os.mkfifo(folder / "part-00001.csv")  # data-named FIFO: opening it would block
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(folder / "control.sock"))
    sock.close()
    return folder


def test_a_folder_that_is_not_a_dataset_is_one_line_saying_what_was_looked_for(
    invoke, tmp_path: Path
) -> None:
    folder = _not_a_dataset(tmp_path)

    result = invoke("preview", str(folder))

    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        f"dwh: error: folder {folder} holds no data files: looked for Parquet, CSV or "
        "JSON-lines files (*.parquet, *.csv, *.json, *.jsonl, or Spark's part-* files) in it "
        "or in key=value partition folders, not hidden or _-prefixed; skipped 2 entries "
        "that are not regular files\n"
    )


def test_data_files_beside_dangling_links_and_fifos_still_preview(invoke, tmp_path: Path) -> None:
    folder = _not_a_dataset(tmp_path)
    pq.write_table(sample_table(), folder / "part-00002.parquet")

    result = invoke("preview", str(folder), "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["row_count"] == ROWS


@pytest.mark.parametrize("kind", ["dangling link", "fifo"])
def test_a_dangling_link_or_fifo_as_target_is_one_line(invoke, tmp_path: Path, kind: str) -> None:
    import os

    target = tmp_path / "target.parquet"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(tmp_path / "gone.parquet")

    result = invoke("preview", str(target))

    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        f"dwh: error: {target} is not a data file or folder "
        "(a dangling link, FIFO, socket or device)\n"
    )


@pytest.mark.parametrize("target", ["", "   "])
def test_an_empty_target_is_refused(
    invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    monkeypatch.chdir(tmp_path)
    pq.write_table(sample_table(), tmp_path / "here.parquet")  # '' must not mean '.'

    result = invoke("preview", target)

    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        "dwh: error: TARGET is empty: give a file, a folder, a remote URI or a run id "
        "from `dwh runs`\n"
    )


def test_a_file_whose_name_is_not_utf8_previews(invoke, tmp_path: Path) -> None:
    import os

    name = os.fsdecode(b"caf\xe9.parquet")  # a Latin-1 name: a lone surrogate in Python
    (tmp_path / "folder").mkdir()
    for path in (tmp_path / name, tmp_path / "folder" / os.fsdecode(b"part-\xff.parquet")):
        with path.open("wb") as handle:  # pyarrow itself takes UTF-8 paths only
            pq.write_table(sample_table(), handle)

    single = invoke("preview", str(tmp_path / name), "--json")
    folder = invoke("preview", str(tmp_path / "folder"), "--json", "--limit", "0")

    assert single.exit_code == 0, single.stderr
    assert json.loads(single.stdout)["row_count"] == ROWS
    assert folder.exit_code == 0, folder.stderr
    assert json.loads(folder.stdout)["row_count"] == ROWS

"""The Python faces: ``dwh.preview.preview``, run outputs, and ``dwh.notebook.preview``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from preview_datasets import ROWS, sample_table

from dwh.errors import DataReadError, PreviewTargetError
from dwh.notebook import preview as notebook_preview
from dwh.preview import describe_outputs, export_rows, find_layout, preview
from dwh.testing.outputs import record_succeeded_run, write_images_outputs


def test_hidden_and_underscore_names_are_not_data(tmp_path: Path) -> None:
    (tmp_path / "out" / "_temporary").mkdir(parents=True)
    pq.write_table(sample_table(10), tmp_path / "out" / "part-0.parquet")
    pq.write_table(sample_table(10), tmp_path / "out" / "_temporary" / "part-1.parquet")
    pq.write_table(sample_table(10), tmp_path / "out" / ".part-2.parquet")
    layout = find_layout(tmp_path / "out")
    assert [f.name for f in layout.files] == ["part-0.parquet"]


def test_a_folder_mixing_formats_is_refused(tmp_path: Path) -> None:
    pq.write_table(sample_table(10), tmp_path / "a.parquet")
    (tmp_path / "b.csv").write_text("x\n1\n")
    with pytest.raises(DataReadError, match="mixes formats"):
        find_layout(tmp_path)


def test_output_given_with_a_path_is_refused(tmp_path: Path) -> None:
    pq.write_table(sample_table(10), tmp_path / "t.parquet")
    with pytest.raises(
        PreviewTargetError, match=r"--output 'x' picks a run's output, but .* is a path"
    ):
        preview(tmp_path / "t.parquet", output="x")


def test_describe_outputs_counts_each_and_says_what_is_gone(store, tmp_path: Path) -> None:
    outputs = write_images_outputs(tmp_path, rows=21, rejects=5)
    outputs["gone"] = str(tmp_path / "deleted")
    outputs["remote"] = "s3://bucket/images"
    record_succeeded_run(store, "R1", "transform_images", outputs)
    described = {o.name: o for o in describe_outputs(store.get("R1"))}
    assert (described["output_path"].format, described["output_path"].row_count) == ("parquet", 21)
    assert described["rejects_path"].row_count == 5
    assert described["gone"].row_count is None and "no file or folder" in described["gone"].problem
    assert described["remote"].row_count is None and "remote" in described["remote"].problem


def test_notebook_preview_is_a_dataframe_with_schema_and_count(tmp_path: Path) -> None:
    pq.write_table(sample_table(), tmp_path / "t.parquet")
    frame = notebook_preview(str(tmp_path / "t.parquet"), limit=5)
    assert list(frame.columns) == ["id", "name", "score", "at"]
    assert len(frame) == 5
    assert frame.attrs["row_count"] == ROWS
    assert frame.attrs["format"] == "parquet"
    assert frame.attrs["schema"][0] == {"name": "id", "type": "int64"}


def test_notebook_preview_of_a_run_output(store, tmp_path: Path) -> None:
    record_succeeded_run(store, "R2", "transform_images", write_images_outputs(tmp_path, rejects=6))
    frame = notebook_preview("R2", output="rejects_path", store=store)
    assert frame.attrs["row_count"] == 6
    assert set(frame["reject_reason"]) == {"missing_id", "bad_json", "missing_url"}


def test_time_zoned_timestamps_keep_their_zone(tmp_path: Path) -> None:
    at = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    table = pa.table(
        {
            "utc": pa.array([at, None], pa.timestamp("us", tz="UTC")),
            "paris": pa.array([at, at], pa.timestamp("ms", tz="Europe/Paris")),
            "offset": pa.array([at, at], pa.timestamp("s", tz="-05:30")),
            "naive": pa.array([at.replace(tzinfo=None)] * 2, pa.timestamp("ns")),
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    row = preview(tmp_path / "t.parquet").rows[0]
    assert row == {
        "utc": "2026-11-25T12:00:00+00:00",
        "paris": "2026-11-25T13:00:00+01:00",
        "offset": "2026-11-25T06:30:00-05:30",
        "naive": "2026-11-25T12:00:00",
    }
    assert preview(tmp_path / "t.parquet").rows[1]["utc"] is None


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_exported_rows_read_back_the_same(tmp_path: Path, fmt: str) -> None:
    pq.write_table(sample_table(), tmp_path / "t.parquet")
    shown = preview(tmp_path / "t.parquet", limit=9)
    written = export_rows(shown.table, tmp_path / "out" / f"x.{fmt}", fmt)
    again = preview(written, limit=9)
    assert (again.format, again.row_count) == (fmt, 9)
    assert [row["name"] for row in again.rows] == [f"row-{i}" for i in range(9)]


def test_export_to_an_unknown_format_names_the_accepted_ones(tmp_path: Path) -> None:
    pq.write_table(sample_table(3), tmp_path / "t.parquet")
    with pytest.raises(PreviewTargetError, match="is not one of parquet, csv, json"):
        export_rows(preview(tmp_path / "t.parquet").table, tmp_path / "x.xlsx", "xlsx")

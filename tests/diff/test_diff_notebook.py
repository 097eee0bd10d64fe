"""``dwh.notebook.diff``: the summary line and a pandas DataFrame of the changed rows."""

from __future__ import annotations

from pathlib import Path

from diff_data import commit_version, edited, expected_by_key, old_rows

import dwh.notebook
from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run


def test_notebook_diff_returns_the_summary_and_the_changed_rows(
    tmp_path: Path, store: RunStore
) -> None:
    old, new = old_rows(), edited(old_rows())
    commit_version(tmp_path / "out", old)
    commit_version(tmp_path / "out", new)
    record_succeeded_run(store, "R1", "x", {"output_path": "out"})
    summary, changed = dwh.notebook.diff("R1", key="id", store=store)
    want = expected_by_key(old, new, "id")
    assert summary == (
        f"output_path: 200 → 191 rows (-9), {want['columns']['width']} changed in 'width' "
        "(+1 more columns)"
    )
    assert len(changed) == want["changed"]
    assert list(changed.columns) == ["id", "width_old", "width_new", "camera_old", "camera_new"]
    before = {r["id"]: r for r in old}
    first = changed.iloc[0]
    assert first["width_old"] == before[int(first["id"])]["width"]
    whole = dwh.notebook.diff("R1", key=["id"], store=store).diff
    assert whole.to_json()["rows"]["changed"] == want["changed"]

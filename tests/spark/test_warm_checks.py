"""Output checks on a warm run: ``dwh run --warm`` audits on the Connect server too."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from warm_support import dwh_run, job_env, read_events

from dwh.spark.server import ServerStatus

pytestmark = pytest.mark.spark


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_warm_run_whose_check_fails_publishes_nothing_and_exits_4(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    env = job_env(tmp_path, tmp_path / "home")
    lines = [
        {"image_id": f"img-{n}", "url": f"https://x.example/{n}.jpg", "sha256": f"{n:064x}",
         "width": 10, "height": 20, "captured_at": "2026-11-25T06:00:00Z", "camera": "Pixel 8"}
        for n in range(3)
    ]  # fmt: skip
    raw = tmp_path / "raw.jsonl"
    raw.write_text("".join(json.dumps(line) + "\n" for line in lines))
    config = {"raw_path": str(raw), "output_path": str(tmp_path / "images")}
    first = dwh_run("transform_images", config, env=env, events=tmp_path / "1.jsonl")
    assert first.returncode == 0, first.stderr
    assert "dwh: checks of output_path" in first.stderr
    outputs = (tmp_path / "images", tmp_path / "images_rejects")
    before = [_files(folder) for folder in outputs]
    assert all(before)

    config["output_checks"] = {"output_path": [{"row_count": {"max": 2}}]}
    failed = dwh_run("transform_images", config, env=env, events=tmp_path / "2.jsonl")

    assert failed.returncode == 4, failed.stderr
    assert "Traceback" not in failed.stderr
    assert (
        "dwh: error: 1 output check failed, nothing was published: "
        "row_count(..2) on output_path (1 failing rows)"
    ) in failed.stderr
    assert [_files(folder) for folder in outputs] == before
    assert not [p for p in tmp_path.iterdir() if ".dwh-staging-" in p.name]
    audits = [e for e in read_events(tmp_path / "2.jsonl") if e["event"] == "checks_finished"]
    assert [(a["output"], a["passed"]) for a in audits] == [
        ("output_path", False),
        ("rejects_path", True),
    ]

"""Warm run, edit, warm run: ``dwh run --warm`` prints what the edit did to the output.

The ``diffwarm`` fixture job (tests/diff/fixtures) computes its output with Spark on the
private warm server and writes it with ``ParquetLoader``; the edit between the runs (its
``VERSION``, in a copy of the package) drops some rows and widens others. The expected
line is computed with plain Python (``diffwarm.images.expected``).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from warm_support import DWH, job_env

from dwh.spark.server import ServerStatus

pytestmark = pytest.mark.spark

FIXTURES = Path(__file__).resolve().parents[1] / "diff" / "fixtures"


def test_warm_run_then_edit_then_warm_run_prints_what_changed(
    warm_server: ServerStatus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))
    from diffwarm.edit import copy_package, set_version
    from diffwarm.images.expected import summary_line

    root = copy_package(tmp_path / "pkgs")
    env = {**job_env(root, tmp_path / "home"), "DWH_JOB_PACKAGES": "diffwarm"}
    config = json.dumps({"output_path": str(tmp_path / "out" / "images")})

    def run() -> subprocess.CompletedProcess[str]:
        argv = [DWH, "run", "images", "--config", config, "--warm"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)

    first = run()
    assert first.returncode == 0, first.stderr
    assert "diff:" not in first.stderr, "the first run replaced nothing"
    set_version(root, "v2")
    second = run()
    assert second.returncode == 0, second.stderr
    lines = [line for line in second.stderr.splitlines() if line.startswith("diff:")]
    assert lines == [f"diff: {summary_line()}"]
    shown = subprocess.run(
        [DWH, "diff", str(tmp_path / "out" / "images"), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert found["key"] == ["id"] and found["key_source"] == "job"
    assert found["old"]["run_id"] != found["new"]["run_id"] and found["new"]["run_id"]

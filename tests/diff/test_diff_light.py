"""The local diff never starts a JVM: pyspark, py4j and pandas stay unimported.

Run in a fresh interpreter, as ``tests/test_light_paths.py`` checks the other light
paths: ``dwh diff`` and the after-run summary of local outputs read with pyarrow only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from diff_data import commit_version, edited, expected_by_key, old_rows

from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
{body}
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j", "pandas"))
print(json.dumps({{"result": result, "heavy": heavy}}))
"""

BODIES = {
    "cli": "from dwh.cli import main\nresult = main(['diff', 'R1', '--json'])",
    "summary": (
        "from dwh.diff.summary import run_summaries\nresult = [s.line for s in run_summaries('R1')]"
    ),
}


def _probe(body: str, home: Path, cwd: Path) -> dict[str, object]:
    env = {"DWH_HOME": str(home), "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_dwh_diff_and_the_run_summary_never_import_pyspark_or_pandas(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # transform_images declares unique(image_id): the factory and its checks load too.
    old, new = (
        [{"image_id": r["id"], **r} for r in rows] for rows in (old_rows(), edited(old_rows()))
    )
    for rows in (old, new):
        commit_version(tmp_path / "out", rows, partition_by=["day"])
    with RunStore(home / "runs.db") as store:
        record_succeeded_run(store, "R1", "transform_images", {"output_path": "out"})
    shown = _probe(BODIES["cli"], home, tmp_path)
    assert shown == {"result": 0, "heavy": []}
    summary = _probe(BODIES["summary"], home, tmp_path)
    assert summary["heavy"] == []
    widened = expected_by_key(old, new, "image_id")["columns"]["width"]
    assert summary["result"] == [
        f"output_path: 200 → 191 rows (-9), {widened} changed in 'width' (+1 more columns)"
    ]

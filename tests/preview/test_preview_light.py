"""Previewing a local output never starts a JVM: pyspark and py4j stay unimported.

Run in a fresh interpreter, the way ``tests/test_light_paths.py`` checks the other
light paths; pyarrow is allowed here (it reads the data), pyspark is not. pandas is
not either: importing it would cost more than the whole preview (pyarrow pulls it in
for ``pyarrow.dataset`` and for time-zoned timestamps unless they are avoided).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dwh.runs.store import RunStore
from dwh.testing.outputs import record_succeeded_run, write_images_outputs

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from dwh.cli import main
code = main({args!r})
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j", "pandas"))
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def _probe(args: list[str], home: Path) -> dict[str, object]:
    env = {"DWH_HOME": str(home), "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_preview_of_a_run_output_never_imports_pyspark(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with RunStore(home / "runs.db") as store:
        record_succeeded_run(store, "R1", "transform_images", write_images_outputs(tmp_path))
    shown = _probe(["preview", "R1", "--output", "output_path", "--json"], home)
    assert shown == {"code": 0, "heavy": []}


def test_listing_a_runs_outputs_never_imports_pyspark(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with RunStore(home / "runs.db") as store:
        record_succeeded_run(store, "R1", "transform_images", write_images_outputs(tmp_path))
    assert _probe(["preview", "R1"], home) == {"code": 0, "heavy": []}


def test_preview_of_a_hive_partitioned_csv_folder_never_imports_pandas(tmp_path: Path) -> None:
    folder = tmp_path / "t" / "day=1"
    folder.mkdir(parents=True)
    (folder / "part-0.csv").write_text(
        "id,at,ns\n1,2026-11-25T00:00:00Z,2026-11-25 00:00:00.123456789\n"
    )
    shown = _probe(["preview", str(tmp_path / "t"), "--json"], tmp_path / "home")
    assert shown == {"code": 0, "heavy": []}

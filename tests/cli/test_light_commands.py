"""No ``dwh`` command imports pyspark, except ``run`` for a job that needs Spark.

Each command runs in a real interpreter of its own, which reports the modules it
ended up with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from dwh.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j"))
print("\\nLIGHT " + json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""
FILTER_EXAMPLE = str(REPO / "examples" / "configs" / "filter_images" / "demo.json")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["list"], 0),
        (["show", "filter_images"], 0),
        (["schema", "transform_images"], 0),
        (["validate", "filter_images", FILTER_EXAMPLE], 0),
        (["validate", "filter_images", '{"base_path": 1}'], 2),
        (["run", "noop", "--config", "{}"], 0),
        # A Spark job with a bad config is refused before any Spark code is imported.
        (["run", "filter_images", "--config", '{"timezone": "Mars/Base"}'], 2),
        (["runs"], 0),
        (["check"], 0),
        (["new", "light_job", "--dry-run"], 0),
        (["package", "--dist", "{tmp}"], 0),
        (["deploy", "airflow", "--platform", "glue", "--out", "{tmp}"], 0),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_command_does_not_import_pyspark(args: list[str], code: int, tmp_path: Path) -> None:
    env = {**os.environ, "DWH_HOME": str(tmp_path / "home")}
    args = [arg.replace("{tmp}", str(tmp_path / "dist")) for arg in args]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    report = json.loads(proc.stderr.rsplit("LIGHT ", 1)[1])
    assert report["code"] == code, proc.stderr
    assert report["heavy"] == []

"""A local spark-submit run gets the quiet local defaults the command line did not set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

APP = """
import json, sys
from dwh.spark.session import get_spark_session

spark = get_spark_session("quiet-check")
conf = spark.sparkContext.getConf()
print(json.dumps({
    "count": spark.range(5).count(),
    "ui": conf.get("spark.ui.enabled", "true"),
    "ui_url": spark.sparkContext.uiWebUrl,
    "shuffle": spark.conf.get("spark.sql.shuffle.partitions"),
    "tz": spark.conf.get("spark.sql.session.timeZone"),
}))
"""


def spark_submit() -> str:
    import pyspark

    return str(Path(pyspark.__file__).parent / "bin" / "spark-submit")


@pytest.mark.spark
def test_a_local_spark_submit_run_is_quiet_and_keeps_what_was_set(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP)
    env = {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }

    result = subprocess.run(
        [
            spark_submit(),
            "--master",
            "local[1]",
            "--conf",
            "spark.sql.shuffle.partitions=7",
            str(app),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    info = [line for line in output.splitlines() if " INFO " in line]
    assert info == []
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"count": 5, "ui": "false", "ui_url": None, "shuffle": "7", "tz": "UTC"}

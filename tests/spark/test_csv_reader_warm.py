"""CsvReader over Spark Connect (a warm run's session): the same one-line failures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dwh.spark.status import ServerStatus

READ = """
import json, sys
from dwh.errors import CsvInputError
from dwh.services._csv import as_csv_error
from dwh.services.readers import CsvReader
from dwh.spark.session import get_spark_session

session = get_spark_session(remote=sys.argv[1])
schema = "id INT, user_id INT, amount DECIMAL(10,2)"
out = {}
try:
    CsvReader(session, schema=schema).read(sys.argv[2])
except CsvInputError as exc:
    out["swapped"] = str(exc)
try:
    CsvReader(session, schema=schema).read(sys.argv[3]).collect()
except Exception as exc:
    out["malformed"] = str(as_csv_error(exc))
out["rows"] = [list(r) for r in CsvReader(session, schema=schema, mode="DROPMALFORMED")
               .read(sys.argv[3]).selectExpr("id", "user_id", "string(amount)").collect()]
session.stop()
print(json.dumps(out))
"""


@pytest.mark.spark
def test_over_spark_connect_a_swapped_header_and_a_malformed_row_fail_in_one_line(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("user_id,id,amount\n7,1,2.50\n")
    malformed = tmp_path / "orders.csv"
    malformed.write_text("id,user_id,amount\n1,7,2.50\n2,8,x\n")
    assert warm_server.url is not None

    done = subprocess.run(
        [sys.executable, "-c", READ, warm_server.url, str(swapped), str(malformed)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["swapped"].startswith(f"CSV header of {swapped} does not match the schema's")
    assert out["malformed"].startswith(
        f"malformed CSV row in {malformed} line 3: '2,8,x' does not fit the schema"
    )
    assert out["rows"] == [[1, 7, "2.50"]]

"""``python session_driver.py loop URL N`` | ``attach REMOTE...``: runs' sessions, in a child.

Each "run" is what a job factory does with :class:`dwh.spark.run_session.RunSession`:
get the session (a claimed spare, or a new one; a named one for ``attach``), run one
Python step on the server, release it. The step reports the artifact UUID its worker
sees, beside the server-side id the client holds, so the test can check they are the
same. Prints one JSON line per run. A child, so that the test process never becomes a
Spark Connect client (pyspark then builds Connect plans process-wide).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from dwh.spark.run_session import RunSession
from dwh.spark.workers import server_side_id


def worker_uuid(batches: Iterator[Any]) -> Iterator[Any]:
    """The Python step: each row's id, and the artifact UUID of the worker that ran it."""
    import os

    import pyarrow as pa

    for batch in batches:
        ids = batch.column("id")
        uuid = os.environ.get("SPARK_JOB_ARTIFACT_UUID", "")
        yield pa.RecordBatch.from_pydict({"id": ids, "uuid": [uuid] * len(ids)})


def one_run(remote: str) -> dict[str, Any]:
    """One run on ``remote``: its rows and both views of its session's UUID."""
    with RunSession(app_name="leak-probe", remote=remote) as scope:
        spark = scope.get()
        rows = spark.range(0, 4, 1, 2).mapInArrow(worker_uuid, "id long, uuid string").collect()
        client = server_side_id(spark)
    return {
        "ids": sorted(row.id for row in rows),
        "worker_uuids": sorted({row.uuid for row in rows}),
        "client_uuid": client,
    }


def main(argv: list[str]) -> int:
    """Run the runs the arguments ask for."""
    if argv[0] == "loop":
        remotes = [argv[1]] * int(argv[2])
    else:
        remotes = argv[1:]
    for remote in remotes:
        print(json.dumps(one_run(remote)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The form's Run on the warm Spark server, in a kernel that also has its own Spark session.

The suite's private warm server (``warm_server`` in ``tests/conftest.py``: its own
discovery file and port, stopped by pid even when a test fails) and this process's
classic session (the ``spark`` fixture), as in a
notebook kernel that ran a job cold and then finds ``dwh spark start`` running.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import papermill
import pytest
from nbhelpers import REPO, execute, output_text

from dwh.devtools.scaffold import notebook
from dwh.notebook import form, run_job
from dwh.spark.server import ServerStatus

pytestmark = pytest.mark.spark

FIXTURE_JOBS = Path(__file__).parent / "fixture_jobs"
MODULE = "nbjobs.sparkrows.sparkrows_job_factory"
CONNECT = "pyspark.sql.connect.session"
CLASSIC = "pyspark.sql.session"


@pytest.fixture
def sparkrows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURE_JOBS))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "nbjobs")


@pytest.mark.usefixtures("sparkrows")
def test_run_goes_to_the_warm_server_when_one_runs_and_the_kernel_session_stays_usable(
    spark: Any, warm_server: ServerStatus, tmp_path: Path
) -> None:
    from pyspark.sql import functions as F

    kernel_app = spark.sparkContext.applicationId  # the kernel already has a classic session
    built = form("sparkrows", {"output_path": str(tmp_path / "warm"), "rows": 7}, namespace={})

    run = built.run()

    assert run is not None and run.succeeded, run and run.summary()
    assert run.metrics["session"] == CONNECT
    assert run.spark is not None
    assert (run.spark.remote, run.spark.application_id) == (warm_server.url, None)
    where = f"on the warm Spark server at {warm_server.url}"
    assert where in built.view.status.value
    assert "succeeded" in built.view.status.value
    (block,) = built.view.previews.children
    assert "7 rows (parquet); the first 7 shown" in block.value
    assert "id: int64, double: int64" in block.value
    # The run's Connect mode did not stay on in the kernel: its session and its
    # functions are classic again, and still work.
    assert "SPARK_CONNECT_MODE_ENABLED" not in os.environ
    assert spark.range(3).select((F.col("id") * 2).alias("x")).collect()[-1].x == 4

    cold = form(
        "sparkrows", {"output_path": str(tmp_path / "cold"), "rows": 3}, namespace={}, warm=False
    )
    kernel_run = cold.run()

    assert kernel_run is not None and kernel_run.succeeded, kernel_run and kernel_run.summary()
    assert kernel_run.metrics["session"] == CLASSIC
    assert kernel_run.spark is not None
    assert (kernel_run.spark.application_id, kernel_run.spark.reused) == (kernel_app, True)
    assert kernel_run.spark.remote is None
    assert "in this kernel&#x27;s Spark session" in cold.view.status.value


@pytest.mark.usefixtures("sparkrows")
def test_run_job_warm_uses_the_running_server_and_records_it(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    run = run_job(MODULE, {"output_path": str(tmp_path / "out"), "rows": 4}, warm=True)

    assert run.succeeded, run.summary()
    assert run.metrics == {"rows": 4, "session": CONNECT}
    assert run.to_dict()["spark"] == {
        "application_id": None,
        "reused": True,
        "remote": warm_server.url,
    }
    assert "SPARK_CONNECT_MODE_ENABLED" not in os.environ


@pytest.fixture
def kernel_sparkrows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel is a new process: it finds the job and the server through its environment.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), str(FIXTURE_JOBS)]))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "nbjobs")


@pytest.mark.usefixtures("kernel_sparkrows")
def test_run_job_notebook_with_warm_true_runs_on_the_server_under_papermill(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    result = tmp_path / "result.json"
    parameters = {
        "module_name": MODULE,
        "job_config": {"output_path": str(tmp_path / "out"), "rows": 6},
        "warm": True,
        "result_path": str(result),
    }

    nb = execute("run_job.ipynb", tmp_path / "run_job.ipynb", parameters)

    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["results"] == {"rows": 6, "session": CONNECT}
    assert data["spark"] == {"application_id": None, "reused": True, "remote": warm_server.url}
    assert f"Spark Connect server {warm_server.url} (already running)" in output_text(nb)


@pytest.mark.usefixtures("kernel_sparkrows")
def test_a_scaffolded_job_notebook_runs_on_the_warm_server_when_one_runs(
    warm_server: ServerStatus, tmp_path: Path
) -> None:
    # What `dwh new` writes, for the fixture job; no `warm` parameter given.
    source = tmp_path / "sparkrows.ipynb"
    source.write_text(notebook("sparkrows", MODULE, {}), encoding="utf-8")
    result = tmp_path / "result.json"
    parameters = {
        "job_config": {"output_path": str(tmp_path / "out"), "rows": 5},
        "result_path": str(result),
    }

    nb = papermill.execute_notebook(
        str(source),
        str(tmp_path / "executed.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(REPO),
    )

    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["results"] == {"rows": 5, "session": CONNECT}
    assert data["spark"] == {"application_id": None, "reused": True, "remote": warm_server.url}
    summary = next(line for line in output_text(nb).splitlines() if "succeeded in" in line)
    assert re.search(r"succeeded in \d+\.\ds job time, \d+\.\ds call wall \(run ", summary)

"""Shared helpers for the lifecycle tests: the ``relay`` test job and subprocess runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

SUPPORT_DIR = Path(__file__).resolve().parent
REPO = SUPPORT_DIR.parents[1]
TEST_JOB_PACKAGES = "dwh.jobs,dwh_test_jobs"
ENTRY = str(REPO / "scripts" / "container" / "generic_entry.py")


def job_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment for job subprocesses: state in ``tmp_path``, the relay job allowed."""
    env = dict(os.environ)
    for name in ("DWH_EVENTS", "DWH_RUN_STORE", "DWH_ALERTS", "DWH_ALERT_WEBHOOK", "DWH_TRIGGERS"):
        env.pop(name, None)
    env["DWH_HOME"] = str(tmp_path / "dwh-home")
    env["DWH_JOB_PACKAGES"] = TEST_JOB_PACKAGES
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SUPPORT_DIR), str(REPO)]))
    env.update(extra)
    return env


def entry_argv(job: str, config: str, *args: str) -> list[str]:
    """The generic entry's command line for a job in ``dwh.jobs`` or the test package."""
    package = "dwh_test_jobs" if job == "relay" else "dwh.jobs"
    module = f"{package}.{job}.{job}_job_factory"
    return [sys.executable, ENTRY, "--module_name", module, f"--{job}_job", config, *args]


def run_entry(
    job: str, config: str, *args: str, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a job through the generic entry and wait for it."""
    return subprocess.run(
        entry_argv(job, config, *args),
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


STORE_WRITER = textwrap.dedent(
    """
    import sys
    from dwh.events import Event
    from dwh.runs.store import RunStore

    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = RunStore(path)
    for i in range(count):
        run_id = f"{prefix}-{i}"
        store.record(Event("job_started", "w", run_id, {"config": {"i": i}}))
        store.record(Event("phase_finished", "w", run_id, {"phase": "load", "rows": i}))
        store.record(Event("job_succeeded", "w", run_id, {"metrics": {"i": i}, "outputs": {}}))
    """
)
"""A script for ``python -c``: record COUNT runs of three events each into the store at PATH."""

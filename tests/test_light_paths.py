"""Light paths never import pyspark: has_spark false runs, config validation, job listing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
{body}
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pyspark", "py4j", "pandas", "pyarrow"))
print(json.dumps(heavy))
"""

LIGHT_PATHS = {
    "has_spark false run through the entry": """
from dwh.entry import main
assert main(["--module_name", "dwh.jobs.noop.noop_job_factory", "--noop_job", "{}",
             "--has_spark", "false"]) == 0
""",
    "config validation of a Spark job": """
from dwh.config import parse_config
from dwh.registry import find_job, load_factory
factory = load_factory(find_job("filter_images"))
parse_config(factory.config_model, {"base_path": "/b", "timezone": "UTC",
             "transform_output_path": "/t"}, job="filter_images")
""",
    "job listing": """
from dwh.registry import discover_jobs
assert {job.name for job in discover_jobs()} >= {"noop", "filter_images"}
""",
    "importing the public API": "import dwh, dwh.testing",
}


def probe(code: str) -> object:
    """Run ``code`` in a fresh interpreter; return the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("body", LIGHT_PATHS.values(), ids=LIGHT_PATHS.keys())
def test_light_path_never_imports_pyspark(body: str) -> None:
    assert probe(PROBE.format(body=body)) == []


def test_dwh_list_imports_neither_pydantic_nor_the_other_commands() -> None:
    """``dwh list`` reads job folders only: the config layer and other commands stay unloaded."""
    body = """
from dwh.cli import main
assert main(["list"]) == 0
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "pydantic"
                or m in ("dwh.config", "dwh.cli.run", "dwh.cli.runs", "dwh.cli.package"))
print(json.dumps(loaded))
"""
    assert probe(f"import json, sys\n{body}") == []


@pytest.mark.parametrize("module", ["dwh.jobs.abstract_job", "dwh.jobs.abstract_job_factory"])
def test_the_job_contract_loads_neither_sqlite_nor_the_run_store(module: str) -> None:
    """The run store's publisher and locks are imported when a run starts, not before."""
    body = f"""
import {module}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlite3", "_sqlite3")
                or m == "dwh.runs" or m.startswith("dwh.runs."))
print(json.dumps(loaded))
"""
    assert probe(f"import json, sys\n{body}") == []


def test_locks_and_the_atomic_commit_load_no_sqlite() -> None:
    """``dwh.runs`` loads its store on first use, so its light modules stay light."""
    body = """
import dwh.runs.locks, dwh.services.atomic_commit, dwh.services.loaders
print(json.dumps(sorted(m for m in sys.modules if "sqlite" in m or m == "dwh.runs.store")))
"""
    assert probe(f"import json, sys\n{body}") == []

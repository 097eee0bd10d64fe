"""Configs are data: never evaluated, executed or unpickled, from any front door.

A notebook's ``job_config`` that holds Python code is parsed as JSON (and refused);
the code never runs. The source check keeps ``eval``/``exec``/``pickle``/``marshal``
and unsafe YAML loading out of ``dwh``, ``tui`` and ``scripts`` altogether.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import papermill
import pytest
from papermill import PapermillExecutionError

from dwh.errors import ConfigError
from dwh.notebook import prepare_run

REPO = Path(__file__).resolve().parents[2]
NOOP = "dwh.jobs.noop.noop_job_factory"
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "cloudpickle"}


def code_that_touches(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


def test_python_code_as_a_notebook_config_is_refused_and_never_runs(tmp_path: Path) -> None:
    """The one real papermill run: ``-p job_config CODE``, as a scheduler passes it."""
    marker = tmp_path / "marker"
    output = tmp_path / "out.ipynb"
    with pytest.raises(PapermillExecutionError) as caught:
        papermill.execute_notebook(
            str(REPO / "notebooks" / "run_job.ipynb"),
            str(output),
            parameters={"job_config": code_that_touches(marker)},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(REPO),
        )
    assert caught.value.ename == "ConfigError"
    assert "config is not valid JSON" in caught.value.evalue
    assert not marker.exists()


@pytest.mark.parametrize(
    "config",
    [
        "{code}",
        '{{"message": {code}}}',
        "exec({code!r})",
        "(lambda: {code})()",
        "b'\\x80\\x04' + {code!r}.encode()",  # what a pickle would look like as text
    ],
)
def test_code_in_any_config_string_is_never_evaluated(tmp_path: Path, config: str) -> None:
    marker = tmp_path / "marker"
    text = config.format(code=code_that_touches(marker))
    with pytest.raises(ConfigError, match="config is not valid JSON"):
        prepare_run(NOOP, text)
    with pytest.raises(ConfigError, match="config is not valid JSON"):
        prepare_run(NOOP, text.encode())
    assert not marker.exists()


def test_code_as_a_config_value_stays_a_string(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    code = code_that_touches(marker)
    run = prepare_run(NOOP, json.dumps({"message": code}), has_spark=False).execute()
    assert run.succeeded and run.metrics["message"] == code
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "glue" / "generic_entry.py"),
            "--module_name",
            NOOP,
            "--noop_job",
            json.dumps({"message": code}),
            "--has_spark",
            "false",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()


def test_no_source_file_evaluates_or_unpickles_anything() -> None:
    found = []
    for path in sorted(
        [*REPO.glob("dwh/**/*.py"), *REPO.glob("tui/**/*.py"), *REPO.glob("scripts/**/*.py")]
    ):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in FORBIDDEN_CALLS:
                    found.append(f"{where} calls {node.func.id}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                found += [
                    f"{where} imports {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES
                ]
            if isinstance(node, ast.Attribute) and node.attr in {"load", "load_all", "unsafe_load"}:
                if isinstance(node.value, ast.Name) and node.value.id == "yaml":
                    found.append(f"{where} uses yaml.{node.attr}")
    assert not found, found

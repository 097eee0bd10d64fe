"""The public API: what ``dwh`` exports, and the layers that must stay apart."""

from __future__ import annotations

import ast
from pathlib import Path

import dwh

ROOT = Path(dwh.__file__).resolve().parent


def test_all_is_sorted_and_every_name_exists() -> None:
    assert dwh.__all__ == sorted(dwh.__all__)
    for name in dwh.__all__:
        assert hasattr(dwh, name), name


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_dwh_never_imports_the_tui() -> None:
    for path in ROOT.rglob("*.py"):
        assert not any(m == "tui" or m.startswith("tui.") for m in imports_of(path)), path


def test_jobs_never_import_each_other() -> None:
    jobs = ROOT / "jobs"
    for job_dir in (p for p in jobs.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for path in job_dir.rglob("*.py"):
            others = {
                m
                for m in imports_of(path)
                if m.startswith("dwh.jobs.")
                and m.split(".")[2] not in (job_dir.name, "abstract_job", "abstract_job_factory")
            }
            assert not others, f"{path} imports {others}"


def test_pyspark_is_imported_lazily_everywhere_in_dwh() -> None:
    """No dwh module imports pyspark at module level (only in functions or TYPE_CHECKING)."""
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(n.split(".")[0] in ("pyspark", "py4j") for n in names), path

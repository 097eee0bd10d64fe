"""``dwh package``: the artifacts, and the import check from the artifact alone."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from dwh.devtools.packaging import build_zip

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25,<2"]
build-backend = "hatchling.build"

[project]
name = "tmpjobs"
version = "0.0.1"

[tool.hatch.build.targets.wheel]
packages = ["tmpjobs"]
"""


def test_package_builds_both_artifacts_and_imports_every_job_from_them(
    invoke, tmp_path: Path
) -> None:
    result = invoke("package", "--root", str(REPO), "--dist", str(tmp_path), "--json")

    data = json.loads(result.stdout)
    assert result.exit_code == 0, result.stdout
    assert data["ok"] is True and data["failures"] == []
    assert Path(data["wheel"]).name == "dwh-0.1.0-py3-none-any.whl"
    assert Path(data["zip"]).name == "dwh-0.1.0-py-files.zip"
    assert set(data["modules"]) >= {
        "dwh.jobs.noop.noop_job_factory",
        "dwh.jobs.filter_images.filter_images_job_factory",
        "dwh.jobs.transform_images.transform_images_job_factory",
    }
    names = zipfile.ZipFile(data["zip"]).namelist()
    assert "dwh/entry.py" in names and "dwh/jobs/noop/noop_job_factory.py" in names
    assert "dwh/devtools/templates/job/job.py.tmpl" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "tui/"))]


def test_the_zip_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first = build_zip(["dwh.jobs"], tmp_path / "a", name="x.zip")
    second = build_zip(["dwh.jobs"], tmp_path / "b", name="x.zip")

    assert (
        hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    )


def test_a_job_that_needs_a_file_outside_the_artifact_fails_the_package(
    invoke, job_package: Path
) -> None:
    (job_package / "pyproject.toml").write_text(PYPROJECT)
    invoke("new", "leaky")
    factory = job_package / "tmpjobs" / "leaky" / "leaky_job_factory.py"
    # helper.py sits in the project, not in the package: fine from the checkout only.
    (job_package / "helper.py").write_text("VALUE = 1\n")
    factory.write_text(factory.read_text() + "\nimport helper  # noqa: E402, F401\n")
    assert invoke("check", "leaky").exit_code == 0, "it imports fine from the checkout"

    result = invoke("package", "--dist", str(job_package / "dist"))

    assert result.exit_code == 1
    failures = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert failures == [
        "✗ tmpjobs.leaky.leaky_job_factory from dwh-0.1.0-py-files.zip: "
        "ModuleNotFoundError: No module named 'helper'",
        "✗ tmpjobs.leaky.leaky_job_factory from tmpjobs-0.0.1-py2.py3-none-any.whl: "
        "ModuleNotFoundError: No module named 'helper'",
    ]


def test_package_outside_a_project_says_so(invoke, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = invoke("package")

    assert result.exit_code == 2
    assert "no pyproject.toml in" in result.stderr

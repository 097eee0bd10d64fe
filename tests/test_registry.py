"""Job discovery by convention, without importing job modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from dwh.errors import JobModuleError, UsageError
from dwh.registry import discover_jobs, find_job, job_name_of, load_factory, read_docstring


def test_the_shipped_jobs_are_registered_with_descriptions() -> None:
    jobs = {job.name: job for job in discover_jobs()}

    assert jobs["filter_images"].module == "dwh.jobs.filter_images.filter_images_job_factory"
    assert jobs["filter_images"].config_arg == "--filter_images_job"
    assert jobs["noop"].description.startswith("Runs the job lifecycle without Spark")


def test_find_job_by_name_or_module() -> None:
    assert find_job("noop") == find_job("dwh.jobs.noop.noop_job_factory")


def test_unknown_job_suggests_close_names() -> None:
    with pytest.raises(
        UsageError, match=r"unknown job 'filter_image'; did you mean 'filter_images'"
    ):
        find_job("filter_image")


def test_load_factory_returns_the_concrete_factory() -> None:
    factory = load_factory(find_job("noop"))
    assert factory.__name__ == "NoopJobFactory"
    assert factory.config_model.__name__ == "NoopConfig"


def test_job_name_of_strips_the_factory_suffix() -> None:
    assert job_name_of("dwh.jobs.filter_images.filter_images_job_factory") == "filter_images"


def test_extra_packages_are_searched_and_broken_modules_still_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = tmp_path / "extrajobs" / "broken"
    job.mkdir(parents=True)
    (tmp_path / "extrajobs" / "__init__.py").write_text("")
    (job / "__init__.py").write_text("")
    (job / "broken_job_factory.py").write_text('"""Broken on purpose."""\nimport no_such_module\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "dwh.jobs,extrajobs")

    info = find_job("broken")
    assert info.description == "Broken on purpose."
    assert "extrajobs.broken.broken_job_factory" not in sys.modules

    with pytest.raises(JobModuleError, match="failed to import: ModuleNotFoundError"):
        load_factory(info)


@pytest.mark.parametrize(
    "source",
    [
        '"""One line."""\n',
        '# -*- coding: utf-8 -*-\n# a comment\n\n"""  Indented\n    body\n"""\nx = 1\n',
        "'single' 'implicitly' 'joined'\n",
        'r"""raw \\d"""\n',
        'f"not a {docstring}"\n',
        'b"bytes are not a docstring"\n',
        "x = 1\n",
        "",
        '"""unterminated\n',
        "def broken(:\n",
    ],
)
def test_read_docstring_agrees_with_ast(tmp_path: Path, source: str) -> None:
    """The token-level reader gives what ``ast.get_docstring`` gives ("" for broken code)."""
    path = tmp_path / "module.py"
    path.write_text(source)
    try:
        expected = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        expected = ""

    assert read_docstring(path) == expected

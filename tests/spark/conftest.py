"""Fixtures of the warm-run tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from warm_support import job_env, write_probe_package


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The probe job package and the environment to run it in."""
    root = write_probe_package(tmp_path_factory.mktemp("pkgs"))
    return root, job_env(root, tmp_path_factory.mktemp("home"))

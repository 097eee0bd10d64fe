"""The public API: what ``dwh`` exports, and each subpackage's ``__all__``."""

from __future__ import annotations

from pathlib import Path

import dwh

ROOT = Path(dwh.__file__).resolve().parent


def test_all_is_sorted_and_every_name_exists() -> None:
    assert dwh.__all__ == sorted(dwh.__all__)
    for name in dwh.__all__:
        assert hasattr(dwh, name), name


def test_every_subpackage_declares_its_public_names() -> None:
    """Each subpackage has an ``__all__``; the import rules are in tests/test_import_rules.py."""
    for init in sorted(ROOT.rglob("__init__.py")):
        if init.parent.parent.name == "jobs" and init.parent.name != "jobs":
            continue  # a job's folder: its factory module is its interface
        assert "__all__" in init.read_text(), init

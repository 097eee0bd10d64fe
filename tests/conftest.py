"""Suite-wide settings: every test that uses the ``spark`` fixture is in the Spark tier."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)


@pytest.fixture(autouse=True)
def _isolated_dwh_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs record to a throwaway run store, never to the checkout's ``./.dwh``."""
    monkeypatch.setenv("DWH_HOME", str(tmp_path_factory.mktemp("dwh-home")))

"""Suite-wide settings (the ``spark`` marker comes from the installed dwh plugin)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_dwh_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Runs record to a throwaway run store, never to the checkout's ``./.dwh``."""
    monkeypatch.setenv("DWH_HOME", str(tmp_path_factory.mktemp("dwh-home")))

"""Loads rows through a driver that is not installed (a TUI test job that cannot import)."""

from __future__ import annotations

raise ImportError("No module named 'warehouse_driver' (the broken test job)")

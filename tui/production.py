"""The production commands equivalent to a TUI run; they live in :mod:`dwh.devtools.production`.

The notebook form builds the same commands, so the code is in ``dwh`` (no textual).
"""

from __future__ import annotations

from dwh.devtools.production import (
    ENTRY_SCRIPT,
    NOTEBOOKS,
    RUN_NOTEBOOK,
    ProductionCommands,
    compact_json,
    production_commands,
)

__all__ = [
    "ENTRY_SCRIPT",
    "NOTEBOOKS",
    "RUN_NOTEBOOK",
    "ProductionCommands",
    "compact_json",
    "production_commands",
]

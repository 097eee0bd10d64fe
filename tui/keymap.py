"""User key remapping: ``$DWH_HOME/keymap.json`` maps binding ids to keys."""

from __future__ import annotations

import json
from pathlib import Path

from dwh.settings import dwh_home


def keymap_path() -> Path:
    """Where the user's keymap lives."""
    return dwh_home() / "keymap.json"


def read_keymap(path: Path) -> tuple[dict[str, str], str]:
    """Return the keymap and a problem message ("" when fine); a missing file is fine.

    The file is a JSON object of binding id to keys, e.g. ``{"dwh.run": "f9"}``.
    """
    if not path.is_file():
        return {}, ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return {}, f"keymap {path} ignored: {exc}"
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        return {}, f'keymap {path} ignored: expected {{"binding id": "keys", ...}}'
    return data, ""

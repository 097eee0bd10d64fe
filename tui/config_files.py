"""Saved configs: JSON files under ``$DWH_HOME/configs/<job>/``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dwh.settings import dwh_home

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ConfigLibrary:
    """Saves and lists a job's configs.

    Args:
        root: The folder holding one sub-folder per job; defaults to
            ``$DWH_HOME/configs``.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else dwh_home() / "configs"

    def folder(self, job: str) -> Path:
        """The folder of one job's saved configs."""
        return self.root / job

    def names(self, job: str) -> list[str]:
        """The saved config file names of a job, sorted."""
        folder = self.folder(job)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.glob("*.json") if p.is_file())

    def save(self, job: str, name: str, text: str) -> Path:
        """Write ``text`` as ``<name>.json``; return its path.

        Raises:
            ValueError: The name is empty once unsafe characters are removed.
            OSError: The file could not be written.
        """
        stem = _SAFE_NAME.sub("-", name.strip()).strip("-.")
        if stem.endswith(".json"):
            stem = stem[: -len(".json")]
        if not stem:
            raise ValueError("give the config a name (letters, digits, '.', '_' or '-')")
        path = self.folder(job) / f"{stem}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        return path

    def load(self, job: str, name: str) -> str:
        """Return a saved config's text.

        Raises:
            OSError: The file could not be read.
        """
        return (self.folder(job) / name).read_text(encoding="utf-8")


def pretty_json(config: dict[str, Any]) -> str:
    """The config as the editor shows it: indented, keys in their given order."""
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"

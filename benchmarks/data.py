"""The data sets of the Spark measurements, generated once per invocation."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import filter_config
from benchmarks.datagen import generate


@dataclass
class DataSet:
    """A generated batch and the history every run starts from."""

    rows: int
    transformed: Path
    history: Path

    def fresh_base(self, name: str) -> Path:
        """A base path holding only the history (earlier runs' output removed)."""
        base = self.history.parent / name
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(self.history, base)
        return base

    def config(self, base: Path) -> str:
        """The filter_images config for ``base``."""
        return filter_config(self.transformed, base)


def data_set(spark: Any, root: Path, rows: int) -> DataSet:
    """Generate (or reuse, within this invocation's work folder) ``rows`` rows."""
    folder = root / f"data-{rows}"
    transformed, history = folder / "transformed", folder / "history"
    if not (transformed / "_SUCCESS").exists() or not history.exists():
        transformed, history = generate(spark, folder, rows)
    return DataSet(rows, transformed, history)

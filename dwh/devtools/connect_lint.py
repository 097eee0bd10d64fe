"""Warn about jobs that cannot run warm: they use ``sparkContext`` or RDDs.

A warm run's session is a Spark Connect session, which has no ``sparkContext``, no
RDDs and no JVM handles. Such a job still runs cold (``spark-submit``, ``dwh run``
without ``--warm``), so this is a warning, not a contract violation. Read from the
source with :mod:`ast`, so nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dwh.registry import JobInfo

RULE = "classic-only"
"""The name these warnings carry."""

CLASSIC_ONLY_ATTRIBUTES: frozenset[str] = frozenset(
    {"sparkContext", "rdd", "_jsc", "_jvm", "_jsparkSession", "_jdf"}
)
"""Attributes a Spark Connect session or DataFrame does not have."""


def classic_only_uses(job: JobInfo) -> list[tuple[Path, int, str]]:
    """Return ``(file, line, attribute)`` for each classic-only attribute in the job's folder."""
    found: list[tuple[Path, int, str]] = []
    for path in sorted(Path(job.path).parent.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (OSError, SyntaxError, ValueError):
            continue  # the import rule reports files that do not parse
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in CLASSIC_ONLY_ATTRIBUTES:
                found.append((path, node.lineno, node.attr))
    return found

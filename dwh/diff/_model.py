"""What a diff found: the two sides, the schema changes, the row counts and samples.

Plain dataclasses with a JSON form (:meth:`Diff.to_json`, the shape docs/diff.md gives)
and the one-line summary ``dwh run`` prints after a run (:meth:`Diff.summary_line`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSON_VERSION = 1
"""Bumped on an incompatible change of :meth:`Diff.to_json`'s shape."""


class KeySource(StrEnum):
    """Where the key the rows were matched on came from."""

    OPTION = "option"
    """``--key`` (or ``key=`` in Python)."""
    UNIQUE_CHECK = "unique_check"
    """The output's declared unique check (audited publish)."""
    JOB = "job"
    """The job factory's ``diff_keys`` declaration."""
    NONE = "none"
    """No key: whole rows compared as multisets."""

    @property
    def description(self) -> str:
        """How ``dwh diff`` and the TUI say where the key came from."""
        return _KEY_WORDS[self]


_KEY_WORDS = {
    KeySource.OPTION: "from --key",
    KeySource.UNIQUE_CHECK: "the output's declared unique check",
    KeySource.JOB: "declared by the job (diff_keys)",
    KeySource.NONE: "no key",
}


@dataclass(frozen=True)
class Side:
    """One version of the output.

    Attributes:
        label: ``new``, ``previous``, or what ``--against`` named.
        path: Where the version is (a hidden ``.<name>.dwh-previous-...`` folder for a
            replaced one).
        run_id: The run that wrote it, when the run store knows.
        format: ``parquet``, ``csv`` or ``json``.
        rows: Its row count.
    """

    label: str
    path: str
    run_id: str | None
    format: str
    rows: int

    def to_json(self) -> dict[str, Any]:
        """The side as JSON."""
        return {
            "label": self.label,
            "path": self.path,
            "run_id": self.run_id,
            "format": self.format,
            "rows": self.rows,
        }


@dataclass(frozen=True)
class SchemaDiff:
    """Columns added, removed and retyped, new against old.

    Attributes:
        added: ``(name, type)`` of columns only the new version has.
        removed: ``(name, type)`` of columns only the old version has.
        retyped: ``(name, old type, new type)``.
    """

    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    retyped: tuple[tuple[str, str, str], ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the schemas differ at all."""
        return bool(self.added or self.removed or self.retyped)

    def to_json(self) -> dict[str, Any]:
        """The schema diff as JSON."""
        return {
            "added": [{"name": n, "type": t} for n, t in self.added],
            "removed": [{"name": n, "type": t} for n, t in self.removed],
            "retyped": [{"name": n, "old": o, "new": t} for n, o, t in self.retyped],
        }


@dataclass(frozen=True)
class ColumnChange:
    """How many of the matched rows changed in one column.

    Attributes:
        name: The column.
        changed: Rows (in both versions) whose value differs; null against a value counts.
        share: ``changed`` over the matched rows, 0 when none matched.
    """

    name: str
    changed: int
    share: float


@dataclass(frozen=True)
class Diff:
    """The difference between two versions of one output.

    Attributes:
        old: The baseline.
        new: The version compared with it.
        schema: Columns added, removed and retyped.
        key: The key columns rows were matched on; empty without a key.
        key_source: Where the key came from.
        only_old: Rows only in the old version (by key; without a key, as a multiset).
        only_new: Rows only in the new version.
        both: Rows in both (by key; without a key, identical rows).
        changed_rows: Rows in both whose values differ in any compared column (key only).
        columns: Per compared column, how many matched rows changed (key only).
        samples: Up to ``limit`` changed rows, ``{"key", "old", "new"}`` (key only);
            without a key, rows only on one side, ``{"side", "row"}``.
        output: The run's output name, when the diff was of a run's output.
    """

    old: Side
    new: Side
    schema: SchemaDiff
    key: tuple[str, ...]
    key_source: KeySource
    only_old: int
    only_new: int
    both: int
    changed_rows: int = 0
    columns: tuple[ColumnChange, ...] = ()
    samples: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    output: str | None = None

    @property
    def row_delta(self) -> int:
        """New row count minus old."""
        return self.new.rows - self.old.rows

    def summary_line(self, name: str | None = None) -> str:
        """One line for after a run, ``output_path: 920 → 905 rows (-15), 31 changed in 'width'``.

        Args:
            name: What to call the output; by default its run output name or path.
        """
        label = name or self.output or self.new.path
        delta = self.row_delta
        parts = [f"{label}: {self.old.rows:,} → {self.new.rows:,} rows ({delta:+,})"]
        changed = sorted((c for c in self.columns if c.changed), key=lambda c: -c.changed)
        if changed:
            top = changed[0]
            more = f" (+{len(changed) - 1} more columns)" if len(changed) > 1 else ""
            parts.append(f"{top.changed:,} changed in '{top.name}'{more}")
        elif self.key:
            parts.append("no value changed")
        else:
            parts.append(f"{self.only_old:,} rows only before, {self.only_new:,} only after")
        schema = []
        if self.schema.added:
            schema.append("+" + ",".join(n for n, _ in self.schema.added))
        if self.schema.removed:
            schema.append("-" + ",".join(n for n, _ in self.schema.removed))
        if self.schema.retyped:
            schema.append("~" + ",".join(n for n, _, _ in self.schema.retyped))
        if schema:
            parts.append("columns " + " ".join(schema))
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The diff as one JSON object (``dwh diff --json``; docs/diff.md gives the shape)."""
        return {
            "version": JSON_VERSION,
            "output": self.output,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "schema": self.schema.to_json(),
            "key": list(self.key),
            "key_source": str(self.key_source),
            "rows": {
                "old": self.old.rows,
                "new": self.new.rows,
                "only_old": self.only_old,
                "only_new": self.only_new,
                "both": self.both,
                "changed": self.changed_rows,
            },
            "columns": [
                {"name": c.name, "changed": c.changed, "share": round(c.share, 6)}
                for c in self.columns
            ],
            "samples": [dict(s) for s in self.samples],
            "summary": self.summary_line(),
        }

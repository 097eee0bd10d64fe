"""Every changed row as one table: key, then old and new values side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from dwh.diff._compare import Comparison


def changed_table(
    old: pa.Table, new: pa.Table, found: Comparison, key: Sequence[str], *, rows: bool = True
) -> pa.Table:
    """The changed rows (by key), or the unmatched rows (without one).

    By key: the key columns, then ``<column>_old`` and ``<column>_new`` for each column
    that changed in any row. Without a key: the sampled rows only on one side, with a
    ``_side`` column (``old`` or ``new``). With ``rows`` false, an empty table.
    """
    import pyarrow as pa

    if not rows:
        return pa.table({})
    if not key:
        return _unmatched(found)
    if found.changed_old is None or found.changed_new is None:
        return new.select(list(key)).slice(0, 0)
    before = old.take(found.changed_old)
    after = new.take(found.changed_new)
    arrays: dict[str, pa.ChunkedArray] = {name: after.column(name) for name in key}
    for column in found.columns:
        if column.changed:
            arrays[f"{column.name}_old"] = before.column(column.name)
            arrays[f"{column.name}_new"] = after.column(column.name)
    return pa.table(arrays)


def _unmatched(found: Comparison) -> pa.Table:
    import pyarrow as pa

    rows = [{"_side": sample["side"], **sample["row"]} for sample in found.samples]
    return pa.Table.from_pylist(rows) if rows else pa.table({})

"""Compare two Arrow tables: by key (matched rows, per-column changes) or as multisets.

Everything here is ``pyarrow.compute`` hash kernels, no JVM and no pandas:

- Key columns, and without a key all columns, of both sides are dictionary-encoded
  *together* (``dictionary_encode`` with nulls encoded as a value), so equal values get
  equal integer codes on both sides, null equals null, and NaN equals NaN.
- Matched rows' values are compared column by column with ``not_equal`` (null against
  a value differs, null against null and NaN against NaN do not).
- A key of several columns is folded into one code per row, re-encoding after each
  column so the codes stay below twice the row count (no overflow).
- Rows are matched with ``index_in`` (a hash lookup), duplicates found with
  ``value_counts``.

``Table.join`` would match rows too, but it runs through Acero, whose import loads
``pyarrow.dataset`` and pandas (0.4 s or more before any work) and it never matches a
null key to a null key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dwh.diff._model import ColumnChange, SchemaDiff
from dwh.errors import DiffKeyError

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` found (row counts are exact).

    Attributes:
        schema: Columns added, removed, retyped.
        only_old: Rows only in the old table.
        only_new: Rows only in the new table.
        both: Rows matched (by key), or identical (without a key).
        changed_rows: Matched rows with a changed value (by key).
        columns: Per compared column, how many matched rows changed.
        samples: Up to ``limit`` changed (or, without a key, unmatched) rows.
        changed_old: Positions in the old table of every changed row (by key).
        changed_new: Their positions in the new table, in the same order.
    """

    schema: SchemaDiff
    only_old: int
    only_new: int
    both: int
    changed_rows: int
    columns: tuple[ColumnChange, ...]
    samples: tuple[dict[str, Any], ...]
    changed_old: pa.Array | None = None
    changed_new: pa.Array | None = None


def schema_diff(old: pa.Schema, new: pa.Schema) -> SchemaDiff:
    """Columns added, removed and retyped, in the new schema's order."""
    old_types = {f.name: str(f.type) for f in old}
    new_types = {f.name: str(f.type) for f in new}
    return SchemaDiff(
        added=tuple((n, t) for n, t in new_types.items() if n not in old_types),
        removed=tuple((n, t) for n, t in old_types.items() if n not in new_types),
        retyped=tuple(
            (n, old_types[n], t)
            for n, t in new_types.items()
            if n in old_types and old_types[n] != t
        ),
    )


def compare(old: pa.Table, new: pa.Table, key: Sequence[str], limit: int) -> Comparison:
    """Compare ``new`` with ``old``: matched on ``key``, or as multisets without one.

    Raises:
        DiffKeyError: A key column is missing on a side, or the key is not unique.
    """
    schema = schema_diff(old.schema, new.schema)
    if key:
        return _by_key(old, new, tuple(key), limit, schema)
    return _as_multisets(old, new, limit, schema)


def _by_key(
    old: pa.Table, new: pa.Table, key: tuple[str, ...], limit: int, schema: SchemaDiff
) -> Comparison:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    for side, table in (("old", old), ("new", new)):
        missing = [k for k in key if k not in table.column_names]
        if missing:
            raise DiffKeyError(
                f"key column {missing[0]!r} is not in the {side} version "
                f"(its columns: {', '.join(table.column_names)})"
            )
    old_codes, new_codes = _row_codes(old, new, key)
    for side, table, codes in (("old", old, old_codes), ("new", new, new_codes)):
        _check_unique(side, table, codes, key)
    new_to_old = pc.index_in(new_codes, value_set=old_codes)
    matched = pc.is_valid(new_to_old)
    new_index = pc.indices_nonzero(matched)
    old_index = pc.filter(new_to_old, matched)
    both = len(new_index)
    compared = [c for c in new.column_names if c in old.column_names and c not in key]
    any_changed = None
    columns = []
    for name in compared:
        differ = _differs(old.column(name).take(old_index), new.column(name).take(new_index))
        count = int(pc.sum(differ).as_py() or 0)
        columns.append(ColumnChange(name, count, count / both if both else 0.0))
        any_changed = differ if any_changed is None else pc.or_(any_changed, differ)
    changed_old = changed_new = None
    changed_rows = 0
    samples: list[dict[str, Any]] = []
    if any_changed is not None:
        positions = pc.indices_nonzero(any_changed)
        changed_rows = len(positions)
        changed_old = old_index.take(positions)
        changed_new = new_index.take(positions)
        samples = _changed_samples(old, new, changed_old, changed_new, key, compared, limit)
    return Comparison(
        schema=schema,
        only_old=old.num_rows - both,
        only_new=new.num_rows - both,
        both=both,
        changed_rows=changed_rows,
        columns=tuple(columns),
        samples=tuple(samples),
        changed_old=changed_old,
        changed_new=changed_new,
    )


def _as_multisets(old: pa.Table, new: pa.Table, limit: int, schema: SchemaDiff) -> Comparison:
    """Whole rows over the columns both sides have, counted with their repeats."""
    import pyarrow.compute as pc

    common = tuple(c for c in new.column_names if c in old.column_names)
    if not common:
        return Comparison(schema, old.num_rows, new.num_rows, 0, 0, (), ())
    old_codes, new_codes = _row_codes(old, new, common)
    old_counts, new_counts = pc.value_counts(old_codes), pc.value_counts(new_codes)
    surplus_old = _surplus(old_counts, new_counts)
    surplus_new = _surplus(new_counts, old_counts)
    only_old = int(pc.sum(surplus_old).as_py() or 0)
    only_new = int(pc.sum(surplus_new).as_py() or 0)
    samples = [
        *_unmatched_samples("old", old, old_codes, old_counts, surplus_old, common, limit),
        *_unmatched_samples("new", new, new_codes, new_counts, surplus_new, common, limit),
    ][:limit]
    return Comparison(schema, only_old, only_new, old.num_rows - only_old, 0, (), tuple(samples))


def _surplus(mine: pa.StructArray, theirs: pa.StructArray) -> pa.Array:
    """Per distinct row of ``mine``, how many more times it occurs than in ``theirs``."""
    import pyarrow.compute as pc

    where = pc.index_in(mine.field("values"), value_set=theirs.field("values"))
    other = pc.fill_null(pc.take(theirs.field("counts"), where), _int64(0))
    return pc.max_element_wise(pc.subtract(mine.field("counts"), other), _int64(0))


def _unmatched_samples(
    side: str,
    table: pa.Table,
    codes: pa.Array,
    counts: pa.StructArray,
    surplus: pa.Array,
    columns: tuple[str, ...],
    limit: int,
) -> list[dict[str, Any]]:
    import pyarrow.compute as pc

    if limit < 1:
        return []
    extra = pc.filter(counts.field("values"), pc.greater(surplus, _int64(0)))
    positions = pc.indices_nonzero(pc.is_in(codes, value_set=extra)).slice(0, limit)
    rows = table.select(list(columns)).take(positions).to_pylist()
    return [{"side": side, "row": row} for row in rows]


def _changed_samples(
    old: pa.Table,
    new: pa.Table,
    old_rows: pa.Array,
    new_rows: pa.Array,
    key: tuple[str, ...],
    compared: list[str],
    limit: int,
) -> list[dict[str, Any]]:
    """The first ``limit`` changed rows: the key, then only the columns that changed."""
    if limit < 1:
        return []
    before = old.select([*key, *compared]).take(old_rows.slice(0, limit)).to_pylist()
    after = new.select([*key, *compared]).take(new_rows.slice(0, limit)).to_pylist()
    samples = []
    for left, right in zip(before, after, strict=True):
        changed = [c for c in compared if not _same(left[c], right[c])]
        samples.append(
            {
                "key": {k: right[k] for k in key},
                "old": {c: left[c] for c in changed},
                "new": {c: right[c] for c in changed},
            }
        )
    return samples


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and left != left and right != right:
        return True  # NaN is NaN, as the codes say
    return bool(left == right) or str(left) == str(right)  # retyped columns compare as text


def _check_unique(side: str, table: pa.Table, codes: pa.Array, key: tuple[str, ...]) -> None:
    import pyarrow.compute as pc

    counts = pc.value_counts(codes)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), _int64(1)))
    if not len(repeated):
        return
    shown = []
    for code in list(repeated.slice(0, 2)):
        row = table.select(list(key)).slice(pc.index(codes, code).as_py(), 1).to_pylist()[0]
        shown.append(json.dumps(row if len(key) > 1 else row[key[0]], default=str))
    noun = "key value is" if len(repeated) == 1 else "key values are"
    raise DiffKeyError(
        f"key ({', '.join(key)}) is not unique in the {side} version: {len(repeated):,} "
        f"{noun} repeated, e.g. {' and '.join(shown)}; pass --key with columns that are"
    )


def _differs(left: Any, right: Any) -> Any:
    """Per row, whether two aligned columns hold different values (null is a value).

    A direct comparison where Arrow has one (ten times cheaper than encoding both
    columns), with NaN equal to NaN as the codes have it; the shared dictionary codes
    for types without one (lists, structs).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    left, right = _comparable(left), _comparable(right)
    if left.type != right.type:
        left, right = _as_text(left), _as_text(right)
    try:
        unequal = pc.not_equal(left, right)
    except NotImplementedError:  # ArrowNotImplementedError: nested types
        codes_left, codes_right = _codes(left, right)
        return pc.not_equal(codes_left, codes_right)
    no = _false()
    differ = pc.or_(pc.fill_null(unequal, no), pc.xor(pc.is_null(left), pc.is_null(right)))
    if pa.types.is_floating(left.type):
        both_nan = pc.and_(pc.fill_null(pc.is_nan(left), no), pc.fill_null(pc.is_nan(right), no))
        differ = pc.and_not(differ, both_nan)
    return differ


def _false() -> pa.Scalar:
    """A boolean false built from a buffer (``pa.scalar`` imports pandas)."""
    import pyarrow as pa

    return pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(b"\x00")])[0]


def _row_codes(old: pa.Table, new: pa.Table, columns: Sequence[str]) -> tuple[pa.Array, pa.Array]:
    """One integer per row of each side, equal exactly when the rows' ``columns`` are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    left = right = None
    for name in columns:
        codes_left, codes_right = _codes(old.column(name), new.column(name))
        if left is None or right is None:
            left, right = codes_left, codes_right
            continue
        width = _int64(max(len(old), len(new)) * 2 + 1)
        left, right = _codes(
            pc.add(pc.multiply(left.cast(pa.int64()), width), codes_left.cast(pa.int64())),
            pc.add(pc.multiply(right.cast(pa.int64()), width), codes_right.cast(pa.int64())),
        )
    assert left is not None and right is not None
    return left, right


def _codes(left: Any, right: Any) -> tuple[pa.Array, pa.Array]:
    """Dictionary codes of two columns over one shared dictionary (nulls a value too)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    left, right = _comparable(left), _comparable(right)
    if left.type != right.type:
        left, right = _as_text(left), _as_text(right)
    joined = pa.concat_arrays([*_chunks(left), *_chunks(right)]) if len(left) + len(right) else None
    if joined is None:
        return _empty_ints(), _empty_ints()
    try:
        indices = pc.dictionary_encode(joined, null_encoding="encode").indices
    except (NotImplementedError, TypeError, ValueError):  # nested types: compare as JSON
        indices = pc.dictionary_encode(_as_text(joined), null_encoding="encode").indices
    return indices.slice(0, len(left)), indices.slice(len(left))


def _int64(value: int) -> pa.Scalar:
    """An int64 scalar built from a buffer: ``pa.scalar`` (and a bare int) import pandas."""
    import struct

    import pyarrow as pa

    data = pa.py_buffer(struct.pack("<q", value))
    return pa.Array.from_buffers(pa.int64(), 1, [None, data])[0]


def _empty_ints() -> pa.Array:
    import pyarrow as pa

    return pa.Array.from_buffers(pa.int32(), 0, [None, pa.py_buffer(b"")])


def _chunks(values: Any) -> list[pa.Array]:
    return list(values.chunks) if hasattr(values, "chunks") else [values]


def _comparable(values: Any) -> Any:
    """Dictionary columns decoded, so the values (not their codes) are compared."""
    import pyarrow as pa

    if pa.types.is_dictionary(values.type):
        return values.cast(values.type.value_type)
    return values


def _as_text(values: Any) -> pa.Array:
    """The values as strings: a cast where Arrow has one, else JSON of each value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(values, pa.string())
    except (NotImplementedError, TypeError, ValueError, pa.ArrowInvalid):
        texts = [
            None if v is None else json.dumps(v, default=str, sort_keys=True)
            for v in (values.to_pylist())
        ]
        return pa.array(texts, pa.string())

"""The parts of a scaffolded job that depend on its inputs (``dwh new NAME --inputs a,b``).

One input (the default, ``input``) gets a transformer that drops duplicates; several get
one reader each and a transformer that joins them all on ``key_columns``. The code is
laid out as ruff format would lay it out: a call or signature on one line when it fits
in 100 columns, else one item a line with a trailing comma, so the generated files pass
``ruff format --check`` whatever the names' lengths.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Sequence
from typing import Any

from dwh.errors import UsageError

__all__ = ["DEFAULT_INPUTS", "check_input_names", "example_config", "input_values", "templates"]

DEFAULT_INPUTS: tuple[str, ...] = ("input",)
_NAME = re.compile(r"[a-z][a-z0-9_]{0,15}", re.ASCII)
_RESERVED = frozenset({"output", "self", "result", "other"})
_WIDTH = 100


def check_input_names(names: Sequence[str] | None) -> tuple[str, ...]:
    """Return the input names, checked; ``("input",)`` when none are given.

    Raises:
        UsageError: A name is not a short lower-case identifier, is a Python builtin or
            keyword, is reserved (``output``...), or is given twice.
    """
    if names is None:
        return DEFAULT_INPUTS
    cleaned = tuple(name.strip() for name in names)
    if not cleaned or not all(cleaned):
        raise UsageError("--inputs needs input names, comma-separated (for example orders,users)")
    for name in cleaned:
        if not _NAME.fullmatch(name) or keyword.iskeyword(name) or name.endswith("_"):
            raise UsageError(
                f"invalid --inputs name {name!r}: use up to 16 lower-case letters, digits and "
                "underscores, starting with a letter (for example orders)"
            )
        if name in vars(builtins) or name in _RESERVED:
            raise UsageError(
                f"invalid --inputs name {name!r}: it is a Python builtin or a name the "
                f"generated code uses ({', '.join(sorted(_RESERVED))}); pick another"
            )
    repeated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if repeated:
        raise UsageError(f"--inputs names {repeated[0]!r} twice; each input needs its own name")
    return cleaned


def templates(inputs: Sequence[str]) -> dict[str, str]:
    """Which template each of the inputs-dependent files comes from."""
    several = len(inputs) > 1
    return {
        "transformer": "transformer_join.py.tmpl" if several else "transformer.py.tmpl",
        "test_job": "test_job_join.py.tmpl" if several else "test_job.py.tmpl",
        "test_spark": "test_job_spark_join.py.tmpl" if several else "test_job_spark.py.tmpl",
    }


def example_config(job: str, inputs: Sequence[str]) -> dict[str, Any]:
    """The example config: a path per input, the output, and the key columns."""
    paths: dict[str, Any] = {f"{name}_path": f"data/{job}/{name}" for name in inputs}
    keys = ["id"] if len(inputs) > 1 else []
    return {**paths, "output_path": f"data/{job}/output", "key_columns": keys}


def input_values(inputs: Sequence[str]) -> dict[str, str]:
    """The template values that depend on the inputs."""
    several = len(inputs) > 1
    first = inputs[0]
    readers = [f"{name}_reader: Reader" for name in inputs]
    return {
        "first": first,
        "inputs_word": "inputs" if several else "input",
        "them": "them" if several else "it",
        "parquet_inputs": f"{len(inputs)} parquet datasets" if several else "a parquet dataset",
        "reader_wiring": "one parquet reader per input" if several else "a parquet reader",
        "input_fields": "\n".join(_input_field(name, several) for name in inputs),
        "key_field": _key_field(several),
        "reader_docs": "\n".join(
            f"        {name}_reader: Reads ``{name}_path``." for name in inputs
        ),
        "init_signature": _joined(
            "    ",
            "def __init__(",
            [
                "self",
                "*",
                *readers,
                "transformer: Transformer",
                "loader: Loader",
                "**services: Any",
            ],
            ") -> None:",
        ),
        "reader_assignments": "\n".join(
            f"        self.{name}_reader = {name}_reader" for name in inputs
        ),
        "execute_signature": _joined(
            "    ",
            "def execute_job(",
            ["self", *[f"{name}_path: str" for name in inputs], "output_path: str"],
            ") -> Metrics:",
        ),
        "reads_code": "\n".join(
            f"            {name}_frame = self.{name}_reader.read({name}_path)" for name in inputs
        ),
        "record_inputs": "\n".join(
            f'        self.record_input("{name}_path", {name}_path)' for name in inputs
        ),
        "transform_call": _joined(
            "            ",
            "result = self.transformer.transform(",
            [f"{name}_frame" for name in inputs],
            ")",
        ),
        "reader_args": "\n".join(
            f"            {name}_reader=ParquetReader(spark)," for name in inputs
        ),
        "transform_signature": _joined(
            "    ",
            "def transform(",
            ["self", *[f"{name}: DataFrame" for name in inputs]],
            ") -> DataFrame:",
        ),
        "join_code": _join_code(inputs),
        "fake_readers": "\n".join(
            f'        {name}_reader=InMemoryReader({{"{name}": rows("{name}")}}),'
            for name in inputs
        ),
        "inputs_line": _joined("", "INPUTS = (", [f'"{name}"' for name in inputs], ")"),
    }


def _input_field(name: str, several: bool) -> str:
    what = f"The {name} dataset to read (parquet)." if several else "The parquet dataset to read."
    return _joined(
        "    ", f"{name}_path: str = Field(", ["min_length=1", f'description="{what}"'], ")"
    )


def _key_field(several: bool) -> str:
    if several:
        return (
            "    key_columns: list[str] = Field(\n"
            "        min_length=1,\n"
            '        description="Columns every input has: the rows are joined on them.",\n'
            "    )"
        )
    return (
        "    key_columns: list[str] = Field(\n"
        "        default_factory=list,\n"
        '        description="Columns that identify a row: one row per key is kept '
        '(none: whole rows).",\n'
        "    )"
    )


def _join_code(inputs: Sequence[str]) -> str:
    first, *others = inputs
    if len(others) == 1:
        return f'        return {first}.join({others[0]}, on=self.key_columns, how="inner")'
    return "\n".join(
        [
            f"        result = {first}",
            _joined("        ", "for other in (", list(others), "):"),
            '            result = result.join(other, on=self.key_columns, how="inner")',
            "        return result",
        ]
    )


def _joined(indent: str, head: str, items: list[str], tail: str) -> str:
    """``head`` + items + ``tail`` on one line if it fits, else one item a line."""
    line = f"{indent}{head}{', '.join(items)}{tail}"
    if len(line) <= _WIDTH:
        return line
    inner = indent + "    "
    body = "".join(f"{inner}{item},\n" for item in items)
    return f"{indent}{head}\n{body}{indent}{tail}"

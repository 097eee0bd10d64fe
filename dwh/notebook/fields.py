"""A job's config fields, read from its JSON Schema, and how a form edits each one.

The notebook form (:mod:`dwh.notebook.form`) is built from the schema ``dwh schema``
prints (:func:`dwh.config.config_schema`), one field per property, in the schema's
order. This module holds the widget-free half: which kind of input a field gets, its
bounds, choices, default and help text, and how an input's value becomes the config
value (or is left out so the model's default applies). No ipywidgets here, so the
mapping is tested without a kernel.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FieldKind(StrEnum):
    """The kind of input a config field gets in the form."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    DATE = "date"
    JSON = "json"


@dataclass(frozen=True)
class FieldSpec:
    """One config field, as the form shows it.

    Attributes:
        name: The config key.
        kind: The input it gets.
        title: The label.
        description: The schema's description ("" when it has none), shown as help.
        required: Whether the schema requires it.
        nullable: Whether ``null`` is allowed (an empty input leaves the key out).
        default: The schema's default (None when it has none).
        has_default: Whether the schema gives a default.
        minimum: The inclusive lower bound, for numbers.
        maximum: The inclusive upper bound, for numbers.
        choices: The allowed values, for a choice.
    """

    name: str
    kind: FieldKind
    title: str
    description: str
    required: bool
    nullable: bool
    default: Any = None
    has_default: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()

    @property
    def bounded(self) -> bool:
        """True for a number with a bound in the schema (it gets a bounded box)."""
        return self.minimum is not None or self.maximum is not None

    @property
    def numeric_text(self) -> bool:
        """True for a number that may be null: a text input, where empty means null."""
        return self.nullable and self.kind in (FieldKind.INTEGER, FieldKind.NUMBER)

    @property
    def help(self) -> str:
        """The help text: the description, then what is required or the default."""
        if self.required:
            tail = "required"
        elif self.has_default and self.default is not None:
            tail = f"default {json.dumps(self.default)}"
        else:
            tail = "optional: leave empty for the default"
        return f"{self.description} ({tail})" if self.description else tail

    def initial(self) -> Any:
        """The value the input starts with: the default, in the input's own type."""
        value = self.default if self.has_default else None
        if value is None:
            return _EMPTY[self.kind]
        if self.kind is FieldKind.DATE:
            return dt.date.fromisoformat(str(value))
        if self.kind is FieldKind.JSON:
            return json.dumps(value, indent=2)
        if self.numeric_text:
            return json.dumps(value)
        return value

    def from_config(self, config: dict[str, Any]) -> Any:
        """The input's value for ``config`` (an example or the notebook's ``job_config``)."""
        if self.name not in config:
            return self.initial()
        value = config[self.name]
        if value is None:
            return _EMPTY[self.kind]
        if self.kind is FieldKind.DATE:
            try:
                return dt.date.fromisoformat(str(value))
            except ValueError:
                return None
        if self.kind is FieldKind.JSON:
            return json.dumps(value, indent=2)
        if self.numeric_text:
            return json.dumps(value)
        return value

    def to_config(self, value: Any) -> tuple[bool, Any]:
        """Turn an input's value into ``(present, config value)``.

        An empty input of a field that may be left out gives ``(False, None)``: the key
        is not written and the model's default applies. Text that should be JSON and is
        not is passed on as the text, so the model reports it with the command line's
        message.
        """
        empty = value is None or (isinstance(value, str) and not value.strip())
        # An empty required field is left out too, so the model says it is missing,
        # as the command line does for a config without it; text may be "" on purpose.
        if empty and (self.kind is not FieldKind.TEXT or self.nullable):
            return False, None
        if self.kind is FieldKind.DATE:
            return (True, value.isoformat()) if isinstance(value, dt.date) else (True, value)
        if self.kind is FieldKind.JSON or (
            self.kind in (FieldKind.INTEGER, FieldKind.NUMBER) and isinstance(value, str)
        ):
            try:
                return True, json.loads(value)
            except (TypeError, ValueError):
                return True, value
        if self.kind is FieldKind.CHOICE and value == NO_CHOICE:
            return False, None
        return True, value


NO_CHOICE = "(default)"
"""The dropdown entry that leaves an optional choice out of the config."""

_EMPTY: dict[FieldKind, Any] = {
    FieldKind.TEXT: "",
    FieldKind.INTEGER: "",
    FieldKind.NUMBER: "",
    FieldKind.BOOLEAN: False,
    FieldKind.CHOICE: NO_CHOICE,
    FieldKind.DATE: None,
    FieldKind.JSON: "",
}


def field_specs(schema: dict[str, Any]) -> list[FieldSpec]:
    """Return one :class:`FieldSpec` per property of ``schema``, in the schema's order."""
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})
    return [
        _spec(name, prop, defs, name in required)
        for name, prop in schema.get("properties", {}).items()
    ]


def _spec(name: str, prop: dict[str, Any], defs: dict[str, Any], required: bool) -> FieldSpec:
    options = [_resolve(option, defs) for option in prop.get("anyOf", [prop])]
    concrete = [option for option in options if option.get("type") != "null"]
    nullable = len(concrete) < len(options)
    base = {**(concrete[0] if len(concrete) == 1 else {}), **_resolve(prop, defs)}
    base.pop("anyOf", None)
    kind = _kind(base) if len(concrete) == 1 else FieldKind.JSON
    if kind is FieldKind.INTEGER or kind is FieldKind.NUMBER:
        bounds = _bounds(base)
    else:
        bounds = (None, None)
    choices: tuple[Any, ...] = ()
    if kind is FieldKind.CHOICE:
        choices = tuple(base["enum"]) if "enum" in base else (base["const"],)
    return FieldSpec(
        name=name,
        kind=kind,
        title=str(prop.get("title") or name),
        description=str(prop.get("description") or base.get("description") or ""),
        required=required,
        nullable=nullable,
        default=prop.get("default"),
        has_default="default" in prop,
        minimum=bounds[0],
        maximum=bounds[1],
        choices=choices,
    )


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {
            **defs.get(ref.removeprefix("#/$defs/"), {}),
            **{k: v for k, v in prop.items() if k != "$ref"},
        }
    return prop


def _kind(prop: dict[str, Any]) -> FieldKind:
    if "enum" in prop or "const" in prop:
        return FieldKind.CHOICE
    kind = prop.get("type")
    if kind == "string":
        return FieldKind.DATE if prop.get("format") == "date" else FieldKind.TEXT
    simple = {
        "integer": FieldKind.INTEGER,
        "number": FieldKind.NUMBER,
        "boolean": FieldKind.BOOLEAN,
    }
    return simple.get(str(kind), FieldKind.JSON)


def _bounds(prop: dict[str, Any]) -> tuple[float | None, float | None]:
    low = prop.get("minimum")
    high = prop.get("maximum")
    step = 1 if prop.get("type") == "integer" else 0
    if low is None and "exclusiveMinimum" in prop:
        low = prop["exclusiveMinimum"] + step if step else prop["exclusiveMinimum"]
    if high is None and "exclusiveMaximum" in prop:
        high = prop["exclusiveMaximum"] - step if step else prop["exclusiveMaximum"]
    return low, high

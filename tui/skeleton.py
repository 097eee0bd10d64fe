"""A starting config generated from a job's JSON Schema."""

from __future__ import annotations

from typing import Any

from dwh.config import FRAMEWORK_FIELDS

_PLACEHOLDERS: dict[str, Any] = {
    "string": "",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "array": [],
    "object": {},
}


def skeleton_config(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a config with every field: its default, or a typed placeholder if required."""
    return _object(schema, schema.get("$defs", {}))


def _object(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if name in FRAMEWORK_FIELDS:
            # Every job inherits them from JobConfig, and each has a default; the
            # skeleton holds the job's own fields (a trigger or the user adds the rest).
            continue
        result[name] = _value(prop, defs)
    return result


def _value(prop: dict[str, Any], defs: dict[str, Any]) -> Any:
    if "default" in prop:
        return prop["default"]
    resolved = _resolve(prop, defs)
    if resolved.get("enum"):
        return resolved["enum"][0]
    if resolved.get("type") == "object" and "properties" in resolved:
        return _object(resolved, defs)
    kind = resolved.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return _PLACEHOLDERS.get(kind or "", None)


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = defs.get(ref.rsplit("/", 1)[-1], {})
        return resolved
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in prop.get(key, []) if o.get("type") != "null"]
        if options:
            return _resolve(options[0], defs)
    return prop


def describe_type(prop: dict[str, Any], defs: dict[str, Any] | None = None) -> str:
    """Return a short type name for a schema property, such as ``string | null``."""
    defs = defs or {}
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "enum" in prop:
        return " | ".join(repr(v) for v in prop["enum"])
    for key in ("anyOf", "oneOf"):
        if key in prop:
            return " | ".join(describe_type(o, defs) for o in prop[key])
    kind = prop.get("type", "any")
    if kind == "array" and isinstance(prop.get("items"), dict):
        return f"array[{describe_type(prop['items'], defs)}]"
    text = " | ".join(kind) if isinstance(kind, list) else str(kind)
    return f"{text} ({prop['format']})" if "format" in prop else text

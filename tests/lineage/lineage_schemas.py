"""Validate OpenLineage events against the vendored JSON Schemas.

Every event is checked against spec 2-0-2's ``RunEvent``, and every facet in it (run,
job and dataset facets) against the schema its own ``_schemaURL`` names: the vendored
official facet schemas, and dwh's ``DwhRunFacets.json``. A facet whose schema is not
vendored fails the check, so no facet goes unvalidated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from dwh.lineage._ids import FACET_SCHEMA_URL

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCHEMAS = HERE / "schemas"
DWH_SCHEMA = REPO / "dwh" / "lineage" / "schemas" / "DwhRunFacets.json"
RUN_EVENT = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def _registry() -> Registry:
    resources = []
    for path in [*SCHEMAS.rglob("*.json"), DWH_SCHEMA]:
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    dwh = json.loads(DWH_SCHEMA.read_text())
    resources.append((FACET_SCHEMA_URL, Resource.from_contents(dwh)))  # the URL dwh emits
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _errors(instance: Any, ref: str) -> list[str]:
    validator = Draft202012Validator(
        {"$ref": ref}, registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(instance)]


def _facets(event: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    yield from (("run", k, v) for k, v in (event["run"].get("facets") or {}).items())
    yield from (("job", k, v) for k, v in (event["job"].get("facets") or {}).items())
    for side in ("inputs", "outputs"):
        for dataset in event.get(side) or []:
            for group in ("facets", "inputFacets", "outputFacets"):
                for key, value in (dataset.get(group) or {}).items():
                    yield f"{side}:{dataset['name']}", key, value


def schema_errors(event: Mapping[str, Any]) -> list[str]:
    """Return every way ``event`` or one of its facets breaks its schema (empty: valid)."""
    errors = _errors(event, RUN_EVENT)
    for where, key, facet in _facets(event):
        url = facet.get("_schemaURL", "")
        try:
            REGISTRY.resolver().lookup(url)
        except Exception:
            errors.append(f"{where} facet {key}: no vendored schema for {url!r}")
            continue
        errors += [f"{where} facet {key}: {e}" for e in _errors(facet, url)]
    return errors


def read_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON lines of a file (what the file transport wrote)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

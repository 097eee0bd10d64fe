"""The trigger map: which job's success starts which job, with which config.

A trigger map, usually a JSON file (``examples/triggers.json``), says which job's
success starts which job and how fields of the success event fill the downstream
config::

    {
      "transform_images": [
        {
          "job": "filter_images",
          "config": {"base_path": "demo-data/filtered", "timezone": "UTC"},
          "map": {"transform_output_path": "outputs.output_path"}
        }
      ]
    }

Each key is an upstream job; each trigger has ``job`` (the downstream job), ``config``
(fixed values) and ``map`` (downstream field → a dotted path into what the upstream run
produced: ``outputs.<name>``, ``metrics.<name>``, ``config.<name>`` (redacted, so
secrets cannot be passed on this way), ``run_id``, ``job`` or ``at``), and optionally
``has_spark``. The runner sets ``triggered_by_job`` and ``triggered_by_run_id`` on the
downstream config. Cycles are refused.

This module parses and checks maps; :mod:`dwh.triggers` runs a job and follows one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from dwh.config import FRAMEWORK_FIELDS
from dwh.config_file import read_json_file
from dwh.errors import TriggerMapError, did_you_mean
from dwh.settings import TRIGGERS_ENV

__all__ = [
    "LINEAGE_FIELDS",
    "SOURCE_FIELDS",
    "SOURCE_ROOTS",
    "TRIGGERS_ENV",
    "Trigger",
    "TriggerMap",
    "TriggerMapError",
    "downstream_config",
    "resolve",
    "source_problem",
]

SOURCE_ROOTS: tuple[str, ...] = ("outputs", "metrics", "config")
SOURCE_FIELDS: tuple[str, ...] = ("run_id", "job", "at")
LINEAGE_FIELDS: tuple[str, ...] = FRAMEWORK_FIELDS


class Trigger(BaseModel):
    """One downstream job to start when an upstream job succeeds.

    Attributes:
        job: The downstream job's name.
        config: Fixed values of the downstream config.
        map: Downstream config field → dotted path into the upstream run's result.
        has_spark: Passed as ``--has_spark`` when set; otherwise the job's default.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    job: str = Field(min_length=1)
    config: dict[str, Any] = Field(default_factory=dict)
    map: dict[str, str] = Field(default_factory=dict)
    has_spark: bool | None = None


_MAP_ADAPTER: TypeAdapter[dict[str, list[Trigger]]] = TypeAdapter(dict[str, list[Trigger]])


@dataclass(frozen=True)
class TriggerMap:
    """Which job's success starts which jobs.

    Attributes:
        triggers: Upstream job name → its triggers, in order.
        source: Where the map came from (a path), for error messages.
    """

    triggers: Mapping[str, tuple[Trigger, ...]] = field(default_factory=dict)
    source: str = "<trigger map>"

    @classmethod
    def load(cls, path: str | Path) -> TriggerMap:
        """Read and check a trigger map file.

        Raises:
            TriggerMapError: The file is missing, not JSON, or not a valid map.
        """
        path = Path(path)
        data = read_json_file(path, what="trigger map", error=TriggerMapError)
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<trigger map>") -> TriggerMap:
        """Build a map from its decoded JSON form and check it.

        Raises:
            TriggerMapError: The structure is wrong, a ``map`` path is invalid, a
                field is given twice or the lineage fields are set by hand, or the
                map has a cycle.
        """
        if not isinstance(data, dict):
            raise TriggerMapError(f"trigger map {source} must be a JSON object of job → triggers")
        try:
            parsed = _MAP_ADAPTER.validate_python(data)
        except ValidationError as exc:
            problems = [_describe(error) for error in exc.errors()]
            raise TriggerMapError(f"trigger map {source}: {'; '.join(problems)}") from None
        triggers = {job: tuple(items) for job, items in parsed.items()}
        result = cls(triggers, source)
        result._check_fields()
        result._check_cycles()
        return result

    @classmethod
    def merge(cls, maps: Sequence[TriggerMap]) -> TriggerMap:
        """One map of several: each upstream job's triggers in the order of ``maps``.

        Raises:
            TriggerMapError: Together they have a cycle.
        """
        if not maps:
            return cls.empty()
        if len(maps) == 1:
            return maps[0]
        triggers: dict[str, tuple[Trigger, ...]] = {}
        for part in maps:
            for job, items in part.triggers.items():
                triggers[job] = (*triggers.get(job, ()), *items)
        result = cls(triggers, " + ".join(part.source for part in maps) or "<no triggers>")
        result._check_cycles()
        return result

    @classmethod
    def empty(cls) -> TriggerMap:
        """A map with no triggers."""
        return cls({}, "<no triggers>")

    def downstream(self, job: str) -> tuple[Trigger, ...]:
        """The triggers that ``job``'s success fires, in order."""
        return self.triggers.get(job, ())

    def reachable(self, job: str) -> list[str]:
        """Every job that ``job``'s success can start, directly or not, in run order."""
        seen: list[str] = []
        stack = [t.job for t in reversed(self.downstream(job))]
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.append(name)
                stack.extend(t.job for t in reversed(self.downstream(name)))
        return seen

    def check_jobs(self, known: Iterable[str], *, start: str | None = None) -> None:
        """Refuse job names that are not registered.

        Args:
            known: The registered job names.
            start: Only check the jobs reachable from this job (and itself).

        Raises:
            TriggerMapError: A job is unknown; the message suggests the closest name.
        """
        names = sorted(set(known))
        if start is None:
            wanted = set(self.triggers) | {t.job for ts in self.triggers.values() for t in ts}
        else:
            wanted = {start, *self.reachable(start)}
        for name in sorted(wanted):
            if name not in names:
                suggestion = did_you_mean(name, names)
                raise TriggerMapError(
                    f"trigger map {self.source}: unknown job '{name}'{suggestion} "
                    f"(known jobs: {', '.join(names)})"
                )

    def check_config_fields(self, job: str, fields: Iterable[str]) -> None:
        """Refuse downstream config keys that ``job``'s config model does not have.

        Raises:
            TriggerMapError: A ``config`` or ``map`` key is not a field of the model.
        """
        valid = sorted(set(fields))
        for upstream, triggers in self.triggers.items():
            for index, trigger in enumerate(triggers):
                if trigger.job != job:
                    continue
                for key in [*trigger.config, *trigger.map]:
                    if key not in valid:
                        suggestion = did_you_mean(key, valid, lead=": ")
                        raise TriggerMapError(
                            f"trigger map {self.source}: {upstream}[{index}]: job '{job}' has "
                            f"no config field '{key}'{suggestion} (fields: {', '.join(valid)})"
                        )

    def _check_fields(self) -> None:
        for upstream, triggers in self.triggers.items():
            for index, trigger in enumerate(triggers):
                where = f"trigger map {self.source}: {upstream}[{index}]"
                for key in (*trigger.config, *trigger.map):
                    if key in LINEAGE_FIELDS:
                        raise TriggerMapError(
                            f"{where}: '{key}' is set by the runner; remove it from the map"
                        )
                twice = sorted(set(trigger.config) & set(trigger.map))
                if twice:
                    raise TriggerMapError(
                        f"{where}: '{twice[0]}' is in both config and map; keep one"
                    )
                for key, source in trigger.map.items():
                    problem = source_problem(source)
                    if problem:
                        raise TriggerMapError(f"{where}.map.{key}: {problem}")

    def _check_cycles(self) -> None:
        state: dict[str, str] = {}

        def visit(job: str, path: list[str]) -> None:
            if state.get(job) == "done":
                return
            if state.get(job) == "active":
                cycle = " → ".join([*path[path.index(job) :], job])
                raise TriggerMapError(
                    f"trigger map {self.source} has a cycle: {cycle}; "
                    "a local chain must end, so remove one trigger"
                )
            state[job] = "active"
            for trigger in self.downstream(job):
                visit(trigger.job, [*path, job])
            state[job] = "done"

        for job in self.triggers:
            visit(job, [])


def source_problem(source: str) -> str | None:
    """Return why a ``map`` source path is invalid, or None if it is fine."""
    parts = source.split(".")
    if any(not part for part in parts):
        return f"'{source}' is not a dotted path such as 'outputs.output_path'"
    if len(parts) == 1 and parts[0] in SOURCE_FIELDS:
        return None
    if len(parts) >= 2 and parts[0] in SOURCE_ROOTS:
        return None
    roots = ", ".join([*(f"{r}.<name>" for r in SOURCE_ROOTS), *SOURCE_FIELDS])
    return f"'{source}' must start with one of: {roots}"


def resolve(source: str, result: Mapping[str, Any]) -> Any:
    """Return the value ``source`` (``outputs.output_path``, say) points at in ``result``.

    Raises:
        KeyError: The path leads nowhere; the message names what was there instead.
    """
    current: Any = result
    walked: list[str] = []
    for part in source.split("."):
        if not isinstance(current, Mapping) or part not in current:
            where = ".".join(walked) or "the result"
            have = ", ".join(sorted(current)) if isinstance(current, Mapping) else "no fields"
            raise KeyError(f"'{source}' is not in {where} (it has: {have or 'nothing'})")
        current = current[part]
        walked.append(part)
    return current


def downstream_config(
    trigger: Trigger, upstream: Mapping[str, Any], *, job: str, run_id: str
) -> dict[str, Any]:
    """Build a downstream config: fixed values, mapped values, then the lineage fields.

    Args:
        trigger: The trigger that fired.
        upstream: The upstream result: ``run_id``, ``job``, ``at``, ``metrics``,
            ``outputs`` and ``config``.
        job: The upstream job.
        run_id: The upstream run id.

    Raises:
        KeyError: A ``map`` path is not in ``upstream``.
    """
    config = dict(trigger.config)
    for key, source in trigger.map.items():
        config[key] = resolve(source, upstream)
    config["triggered_by_job"] = job
    config["triggered_by_run_id"] = run_id
    return config


def _describe(error: Any) -> str:
    loc = [str(part) for part in error["loc"]]
    path = loc[0] + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc[1:]) if loc else ""
    if error["type"] == "extra_forbidden":
        valid = sorted(Trigger.model_fields)
        suggestion = did_you_mean(loc[-1], valid, lead=": ")
        return f"unknown key '{path}'{suggestion} (valid keys: {', '.join(valid)})"
    if error["type"] == "missing":
        return f"'{path}': required field is missing"
    return f"'{path}': {error['msg']}"

"""Typed job configs: parse JSON, validate it strictly, explain every problem.

Each job declares a :class:`JobConfig` subclass. :func:`parse_config` turns the raw
config (JSON text, bytes or a dict, from the command line, a notebook or a test) into
a validated model, or raises :class:`~dwh.errors.ConfigError` listing every problem
with its field path, what was expected and what was given. Text of the form ``@PATH``
is read from the file ``PATH`` (``--filter_images_job @conf.json``), so a config with
secrets need not appear on a command line, where ``ps`` shows it to every user.
Unknown keys are errors and come with a "did you mean" suggestion. Nothing here
imports pyspark, so configs are validated before any Spark session exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dwh.checks.spec import parse_check
from dwh.config_file import read_config_file
from dwh.errors import ConfigError, did_you_mean
from dwh.redaction import REDACTED, is_secret_key, redact, redact_text, secret_values
from dwh.settings import MAX_CONFIG_BYTES

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

ConfigT = TypeVar("ConfigT", bound="JobConfig")

FRAMEWORK_MARK = "x-dwh-framework"
"""The JSON Schema keyword that marks a framework field (true) in a config's schema."""


class JobConfig(BaseModel):
    """Base class for a job's JSON config.

    Unknown keys are rejected, values are validated strictly (``"30"`` is not an
    integer) and instances are immutable. Every job can be triggered by another, so
    the trigger fields live here.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    triggered_by_job: str | None = Field(
        None,
        description="Framework field, set by a trigger: the upstream job. Leave it out.",
        json_schema_extra={FRAMEWORK_MARK: True},
    )
    triggered_by_run_id: str | None = Field(
        None,
        description="Framework field, set by a trigger: the upstream run's id. Leave it out.",
        json_schema_extra={FRAMEWORK_MARK: True},
    )
    output_checks: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description=(
            "Framework field: checks on the job's outputs, by output name, added to the "
            "ones the job declares (or changing their severity), e.g. "
            '{"output_path": [{"unique": ["id"]}, {"row_count": {"min": 1}, '
            '"severity": "warn"}]}. Checks: unique, not_null, accepted_values, '
            "row_count, expression, relationships; see docs/checks.md."
        ),
        json_schema_extra={FRAMEWORK_MARK: True},
    )

    @field_validator("output_checks")
    @classmethod
    def _valid_checks(cls, value: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        problems = []
        for output, entries in value.items():
            for index, entry in enumerate(entries):
                try:
                    parse_check(entry)
                except ValueError as exc:
                    problems.append(f"[{output!r}][{index}]: {exc}")
        if problems:
            raise ValueError("; ".join(problems))
        return value


FRAMEWORK_FIELDS: tuple[str, ...] = tuple(JobConfig.model_fields)
"""The fields every config has, set by the framework (triggers, checks), not by the job."""


def parse_config(
    model: type[ConfigT], raw: str | bytes | Mapping[str, Any], *, job: str
) -> ConfigT:
    """Validate a raw config against ``model``.

    Args:
        model: The job's config model.
        raw: JSON text or bytes, ``@PATH`` to read the JSON from a file, or an
            already-decoded mapping (a notebook's dict).
        job: The job name, used in error messages.

    Returns:
        The validated config.

    Raises:
        ConfigError: The config (or its file) is missing, empty, too large, malformed,
            not an object, or fails validation. The error lists every problem.
    """
    data = load_json_object(raw, job=job)
    try:
        # Validate through JSON so a dict from a notebook and text from the command
        # line follow exactly the same (strict, JSON-mode) rules.
        return model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        raise ConfigError(job, describe_errors(model, exc.errors(), secret_values(data))) from None


def load_json_object(raw: str | bytes | Mapping[str, Any], *, job: str) -> dict[str, Any]:
    """Decode a raw config (text, ``@PATH``, bytes or a mapping) into a dict.

    Raises:
        ConfigError: It is not exactly one JSON object within the size limit.
    """
    if isinstance(raw, Mapping):
        try:
            text = json.dumps(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(job, [f"config is not JSON-serialisable: {exc}"]) from None
    elif isinstance(raw, str) and raw.startswith("@"):
        text = _utf8_text(read_config_file(raw[1:], job=job), job=job)
    elif isinstance(raw, bytes | str):
        text = _utf8_text(raw, job=job)
    else:
        raise ConfigError(job, [f"config must be JSON text or a dict, got {type(raw).__name__}"])
    size = len(text.encode("utf-8"))
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(
            job, [f"config is {size:,} bytes; the limit is {MAX_CONFIG_BYTES:,} bytes (1 MiB)"]
        )
    if not text.strip():
        raise ConfigError(job, ['config is empty; expected a JSON object such as {"key": ...}'])
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            job, [f"config is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    except _DuplicateKeyError as exc:
        raise ConfigError(job, [str(exc)]) from None
    except RecursionError:
        raise ConfigError(job, ["config is nested too deeply to parse"]) from None
    except ValueError as exc:  # e.g. an integer past Python's 4300-digit limit
        raise ConfigError(job, [f"config is not valid JSON: {_first_line(exc)}"]) from None
    if not isinstance(data, dict):
        raise ConfigError(job, [f"config must be a JSON object, got {_json_type(data)}"])
    return data


def _utf8_text(raw: str | bytes, *, job: str) -> str:
    """Return ``raw`` as text, refusing bytes (or argv surrogate escapes) that are not UTF-8."""
    try:
        if isinstance(raw, bytes):
            return raw.decode("utf-8", errors="strict")
        raw.encode("utf-8", errors="strict")
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        raise ConfigError(
            job, [f"config is not valid UTF-8 text (byte offset {exc.start})"]
        ) from None
    return raw


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def config_schema(model: type[JobConfig]) -> dict[str, Any]:
    """Return the JSON Schema of a config model, the job's own fields first.

    The framework's fields (:data:`FRAMEWORK_FIELDS`) come last, each marked with
    ``"x-dwh-framework": true`` and a description that says dwh sets it.
    """
    schema = model.model_json_schema()
    properties: dict[str, Any] = schema.get("properties", {})
    own = {k: v for k, v in properties.items() if k not in FRAMEWORK_FIELDS}
    framework = {k: v for k, v in properties.items() if k in FRAMEWORK_FIELDS}
    if properties:
        schema["properties"] = {**own, **framework}
    return schema


def factory_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Return the JSON value of each field whose default comes from a ``default_factory``.

    JSON Schema leaves such a default out (``Field(default_factory=list)`` has none), so
    a listing would show null where the field really defaults to ``[]``.
    """
    from pydantic_core import to_jsonable_python

    defaults: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.default_factory is not None:
            value = field.get_default(call_default_factory=True, validated_data={})
            defaults[name] = to_jsonable_python(value)
    return defaults


def describe_errors(
    model: type[BaseModel], errors: Sequence[ErrorDetails], secrets: Iterable[str] = ()
) -> list[str]:
    """Turn pydantic error details into one readable line each.

    A line echoes the bad value, shortened. The value is redacted *before* it is
    shortened, and the line after: a secret key's value, a URL password and each of
    ``secrets`` (the config's :func:`~dwh.redaction.secret_values`, so a password
    repeated in an ordinary field) never show, not even their first letters.
    """
    known = frozenset(secrets)
    return [redact_text(_describe(model, error, known), known) for error in errors]


def _describe(model: type[BaseModel], error: ErrorDetails, secrets: frozenset[str]) -> str:
    loc = tuple(error["loc"])
    path = _format_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        valid = _fields_at(model, loc[:-1])
        key = str(loc[-1])
        suggestion = did_you_mean(key, valid, lead=": ")
        return f"unknown key '{path}'{suggestion} (valid keys: {', '.join(valid)})"
    if kind == "missing":
        return f"'{path}': required field is missing"
    given = (
        REDACTED
        if any(isinstance(p, str) and is_secret_key(p) for p in loc)
        else redact(error["input"], secrets)
    )
    message = error["msg"].removeprefix("Value error, ")
    if not loc:  # about the whole config (a lone surrogate): never echo all of it
        return f"config is not valid: {message}"
    return f"'{path}': {message}; got {_show(given)}"


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The valid keys of the (nested) model that ``loc`` points into."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return []
        current = _model_in(field.annotation)
    return sorted(current.model_fields) if _is_model(current) else []


def _model_in(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _format_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<config>"


def _show(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _json_type(value: Any) -> str:
    names = {
        list: "an array",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKeyError(f"config has the key '{key}' twice")
        data[key] = value
    return data

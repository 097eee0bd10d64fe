"""The run options: what every factory's ``main(**kwargs)`` accepts besides the config.

The generic entry, a notebook, the trigger runner and a test all call a factory
module's ``main`` with the job's config (``<job>_job`` or ``job_config``) and some of
these options. :class:`RunOptions` validates them before anything runs, and a bad one
is a :class:`~dwh.errors.UsageError` naming the argument and what it accepts::

    RunOptions.from_kwargs({"has_spark": "false", "run_id": 7}, config_keys=("noop_job",))
    # RunOptions(has_spark=False, run_id='7', ...)

A new option is one new field here (and its flag in :mod:`dwh.entry`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from dwh.errors import UsageError, did_you_mean

__all__ = ["RunOptions", "parse_flag"]

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def parse_flag(value: object) -> bool:
    """Parse ``true/false/1/0/yes/no`` (any case) or a bool.

    Raises:
        ValueError: Anything else.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be true or false")


class RunOptions(BaseModel):
    """The options of one run, validated.

    Attributes:
        has_spark: Whether the run gets a Spark session; None means what the job needs.
        run_id: The run's id; None makes a fresh one.
        events: Where the events stream goes (``-``, ``fd:N`` or a path).
        event_publisher: An extra publisher (a notebook's or a test's recorder).
        module_name: The factory module, recorded with the run.
        spark_remote: A Spark Connect remote (``sc://host:port`` or ``local[*]``).
        run_store: The run store's file, or ``off``; None means ``$DWH_RUN_STORE``.
        backfill_id: The backfill this run belongs to (``dwh backfill`` sets it).
        debug: Say more about a failure (the entry's ``--debug``): lineage ``FAIL``
            events carry the stack trace. None means ``$DWH_DEBUG``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    has_spark: bool | None = None
    run_id: str | None = None
    events: str | None = None
    event_publisher: Any = None
    module_name: str | None = None
    spark_remote: str | None = None
    run_store: str | None = None
    backfill_id: str | None = None
    debug: bool | None = None

    @field_validator("has_spark", "debug", mode="before")
    @classmethod
    def _has_spark(cls, value: object) -> bool | None:
        return None if value is None else parse_flag(value)

    @field_validator("run_id", mode="before")
    @classmethod
    def _run_id(cls, value: object) -> str | None:
        # Platforms pass numbers (a Databricks run id); an empty id means "make one".
        return None if value is None or value == "" else str(value)

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any], *, config_keys: Iterable[str]) -> RunOptions:
        """Validate ``main``'s keyword arguments, leaving out the config ones.

        Args:
            kwargs: Everything ``main`` received.
            config_keys: The keywords that carry the config (``<job>_job``, ``job_config``).

        Raises:
            UsageError: An argument is unknown (the message suggests the closest one and
                lists the accepted ones) or has a value it does not accept.
        """
        config = set(config_keys)
        accepted = sorted(config | set(cls.model_fields))
        for key in kwargs:
            if key not in accepted:
                suggestion = did_you_mean(key, accepted)
                raise UsageError(
                    f"main() got an unknown argument '{key}'{suggestion} "
                    f"(accepted: {', '.join(accepted)})"
                )
        options = {k: v for k, v in kwargs.items() if k not in config}
        try:
            return cls.model_validate(options)
        except ValidationError as exc:
            raise UsageError("; ".join(_describe(e) for e in exc.errors())) from None


def _describe(error: Any) -> str:
    name = ".".join(str(part) for part in error["loc"])
    if name == "has_spark":
        return f"--has_spark must be true or false, got {error['input']!r}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"--{name} {message[:1].lower()}{message[1:]}, got {error['input']!r}"

"""Live config validation: the same rules the generic entry applies, with positions.

:func:`validate_config` runs on every keystroke. It reports JSON syntax errors with
their line and column, then schema errors with their field path, using the messages
:mod:`dwh.config` gives on the command line, so the editor and production agree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from dwh.config import describe_errors, load_json_object
from dwh.errors import ConfigError
from dwh.redaction import secret_values

if TYPE_CHECKING:
    from dwh.config import JobConfig


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config.

    Attributes:
        message: What is wrong, as the generic entry would say it.
        path: The field path (``a.b[0]``), when the problem is about a field.
        line: The 1-based line in the editor, when known.
        column: The 1-based column, when known.
    """

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        """``line L col C`` or ``line L``, or "" when the position is unknown."""
        if self.line is None:
            return ""
        return f"line {self.line}" + (f" col {self.column}" if self.column else "")


def validate_config(model: type[JobConfig], text: str, *, job: str) -> list[Problem]:
    """Return every problem with ``text`` as a config of ``model``; [] means valid."""
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if text.strip():
            return [Problem(f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]
    except (RecursionError, ValueError):
        pass  # too deep, or a number too long: load_json_object says so in one line
    try:
        data = load_json_object(text, job=job)
    except ConfigError as exc:
        return [Problem(problem) for problem in exc.problems]
    try:
        model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        # A message echoes the bad value; describe_errors keeps the config's secrets
        # out of it, whichever field they were typed into.
        secrets = secret_values(data)
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = describe_errors(model, [error], secrets)[0]
            problems.append(Problem(message, path=_format_path(loc), line=_line_of(text, loc)))
        return problems
    return []


def parse_valid(text: str) -> dict[str, Any]:
    """Decode a config :func:`validate_config` accepted."""
    data: dict[str, Any] = json.loads(text)
    return data


def _format_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<config>"


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line of the deepest key of ``loc`` found in ``text`` (a good-enough hint)."""
    for part in reversed(loc):
        if isinstance(part, str):
            match = re.search(rf'"{re.escape(part)}"\s*:', text)
            if match:
                return text.count("\n", 0, match.start()) + 1
    return None

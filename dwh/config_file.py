"""Reading a config from where a user points: a file, stdin or inline text.

- ``--<job>_job @PATH`` (the generic entry): :func:`read_config_file`, whose problems are
  the config's (a :class:`~dwh.errors.ConfigError`, listed with the rest);
- the CLI's ``CONFIG`` argument (``dwh validate``, ``dwh run --config``, ...):
  :func:`read_config_arg`, inline JSON, ``-`` or a path, whose problems are the
  command line's (a :class:`~dwh.errors.UsageError`);
- a JSON file dwh reads whole (the trigger map, the deploy settings, a production
  config): :func:`read_json_file`, with the error class of its caller.

Both read at most the size limit and one byte, so an endless file is refused too. Kept
apart from :mod:`dwh.config` so the generic entry can read a file without importing
pydantic.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dwh.errors import ConfigError, DwhError, UsageError
from dwh.settings import MAX_CONFIG_BYTES

__all__ = ["read_config_arg", "read_config_file", "read_json_file"]


def read_json_file(path: Path, *, what: str, error: Callable[[str], DwhError]) -> Any:
    """Read and decode a JSON file (a trigger map, deploy settings, a prod config).

    Args:
        path: The file.
        what: What it is, for the message (``trigger map``).
        error: The error class to raise, given the one-line message.

    Raises:
        DwhError: Of class ``error``: the file can't be read or is not JSON; the message
            names ``what``, the path, and the line and column of a syntax error.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"{what} {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def read_config_file(name: str, *, job: str) -> bytes:
    """Read the file a ``@PATH`` config names (``name`` is the PATH).

    At most the size limit and one byte are read, so an endless file is refused too.

    Raises:
        ConfigError: The file is missing, a folder, unreadable or over the limit.
    """
    if not name.strip():
        raise ConfigError(job, ["config file name is missing after '@': expected @PATH"])
    try:
        data = _read_capped(name)
    except FileNotFoundError:
        raise ConfigError(job, [f"config file {name} does not exist"]) from None
    except IsADirectoryError:
        raise ConfigError(job, [f"config file {name} is a folder, not a file"]) from None
    except OSError as exc:
        raise ConfigError(job, [f"cannot read config file {name}: {exc.strerror}"]) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            job,
            [
                f"config file {name} is over the limit of {MAX_CONFIG_BYTES:,} bytes (1 MiB)",
            ],
        )
    return data


def read_config_arg(value: str, *, name: str = "CONFIG") -> str:
    """Return the config text from an inline JSON object, ``-`` (stdin) or a file path.

    Raises:
        UsageError: It is neither inline JSON nor a readable file.
    """
    stripped = value.strip()
    if stripped.startswith("{"):
        return value
    if value == "-":
        return sys.stdin.read(MAX_CONFIG_BYTES + 1)
    try:
        is_file = Path(value).is_file()
    except OSError as exc:  # a name too long for the file system, say
        raise UsageError(f"{name} names no readable file: {exc.strerror or exc}") from None
    if not is_file:
        raise UsageError(
            f"{name} must be inline JSON (starting with '{{'), '-' for stdin, or a JSON "
            f"file; no file named {value!r}"
        )
    try:
        data = _read_capped(value)
        if len(data) > MAX_CONFIG_BYTES:
            raise UsageError(f"{name} file {value} is larger than the 1 MiB config limit")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {name} file {value}: {exc}") from None


def _read_capped(name: str) -> bytes:
    with open(name, "rb") as file:
        return file.read(MAX_CONFIG_BYTES + 1)

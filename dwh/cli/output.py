"""Shared output helpers: rich consoles bound to click's streams, JSON, config input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.errors import UsageError
from dwh.settings import MAX_CONFIG_BYTES

if TYPE_CHECKING:
    from rich.console import Console


def console(*, stderr: bool = False) -> Console:
    """Return a rich console writing to the current stdout (or stderr).

    Made per call so that ``click.testing.CliRunner``'s captured streams are used. rich
    is imported here, not at module level, so commands that print plain lines
    (``validate``) do not pay for it.
    """
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, soft_wrap=False, width=_width())


def _width() -> int | None:
    # Tables in pipes and tests would otherwise wrap at 80 columns and cut module names.
    return None if sys.stdout.isatty() else 160


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, sort_keys=False) + "\n")


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
    path = Path(value)
    if not path.is_file():
        raise UsageError(
            f"{name} must be inline JSON (starting with '{{'), '-' for stdin, or a JSON "
            f"file; no file named {value!r}"
        )
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise UsageError(f"{name} file {value} is larger than the 1 MiB config limit")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {name} file {value}: {exc}") from None

"""Shared output helpers: rich consoles bound to click's streams, and JSON."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

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

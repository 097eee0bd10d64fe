"""Shared output helpers: rich consoles bound to click's streams, and JSON."""

from __future__ import annotations

import json
import sys
import unicodedata
from typing import TYPE_CHECKING, Any

import click

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


_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` with control characters, line breaks and lone surrogates escaped.

    An error line echoes what the user typed; a newline or an escape sequence in it would
    break the one line or the terminal, and a lone surrogate would fail to encode.
    """
    if text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _UNPRINTABLE
        else ch
        for ch in text
    )


def echo_error(message: str) -> None:
    """Print one ``dwh: error: ...`` line on stderr (control characters escaped)."""
    click.echo(f"dwh: error: {printable(message)}", err=True)


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, sort_keys=False) + "\n")

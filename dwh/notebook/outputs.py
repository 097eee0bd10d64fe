"""Keep notebooks committed without outputs: ``python -m dwh.notebook strip-outputs``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def strip_outputs(path: str | os.PathLike[str], *, check: bool = False) -> bool:
    """Remove a notebook's outputs, execution counts and papermill metadata.

    Committed notebooks carry no outputs: they would leak one person's data and paths
    into git and make every diff noisy.

    Args:
        path: The ``.ipynb`` file.
        check: Only report; leave the file as it is.

    Returns:
        True when the notebook had something to strip.
    """
    import nbformat

    target = Path(path)
    original = target.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)  # type: ignore[no-untyped-call]
    nb.metadata.pop("papermill", None)
    # A papermill output becomes its source again: its injected cell goes too.
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    text: str = nbformat.writes(nb)  # type: ignore[no-untyped-call]
    text = text if text.endswith("\n") else text + "\n"
    if text == original:
        return False
    if not check:
        target.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m dwh.notebook strip-outputs [--check] NOTEBOOK...``.

    Returns:
        1 when ``--check`` finds a notebook with outputs, else 0.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m dwh.notebook")
    commands = parser.add_subparsers(dest="command", required=True)
    strip = commands.add_parser("strip-outputs", help="remove outputs from notebooks")
    strip.add_argument(
        "--check", action="store_true", help="only report; exit 1 if any has outputs"
    )
    strip.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    dirty = [path for path in args.notebooks if strip_outputs(path, check=args.check)]
    for path in dirty:
        print(f"{path}: {'has outputs' if args.check else 'outputs stripped'}")
    return 1 if args.check and dirty else 0

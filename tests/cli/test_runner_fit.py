"""Whether a caller fits the warm runner: the rule :func:`misfit` applies, in this process.

The runner compares a caller's Python and ``sys.path`` with its own; here the test's own
process plays the runner, so ``sys.path`` and ``sys.modules`` are this process's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dwh.cli._runner_fresh import misfit


def _mine() -> list[str]:
    return [p for p in sys.path if p]


def test_the_same_python_and_path_fit() -> None:
    assert misfit(sys.executable, _mine(), None, "/") is None


def test_the_same_folders_in_another_order_fit_when_they_import_the_same_files() -> None:
    # An editable install's folder is last in a runner's path, first in a PYTHONPATH caller's.
    mine = _mine()
    assert mine[-1] == str(Path(__file__).parents[2])  # this checkout, from dwh's .pth file
    reordered = [mine[-1], *mine[:-1]]

    assert misfit(sys.executable, reordered, None, "/") is None


def test_a_folder_of_the_runners_the_caller_lacks_is_named() -> None:
    mine = _mine()
    lacking = [p for p in mine if p != mine[0]]  # pytest may put a tests folder in twice

    assert misfit(sys.executable, lacking, None, "/") == (
        f"the caller's Python path lacks {mine[0]}"
    )


def test_a_folder_first_on_the_path_with_another_copy_of_a_held_package_is_named(
    tmp_path: Path,
) -> None:
    assert "json" in sys.modules
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "__init__.py").write_text("")

    assert misfit(sys.executable, [str(tmp_path), *_mine()], None, "/") == (
        f"{tmp_path} holds another copy of json"
    )
    # Last on the path, the copy is never imported: the caller fits.
    assert misfit(sys.executable, [*_mine(), str(tmp_path)], None, "/") is None


def test_the_childs_working_directory_counts_as_the_first_folder(tmp_path: Path) -> None:
    (tmp_path / "json.py").write_text("")

    assert misfit(sys.executable, _mine(), "", str(tmp_path)) == (
        f"{tmp_path} holds another copy of json"
    )
    assert misfit(sys.executable, _mine(), None, str(tmp_path)) is None


def test_another_python_is_named(tmp_path: Path) -> None:
    other = tmp_path / "python3"
    other.write_text("")

    assert misfit(str(other), _mine(), None, "/") == f"it runs {sys.executable}, not {other}"

"""Every command the README shows works as written, in a fresh shell after ``make demo``.

The README's ``bash`` blocks are read out of the file and run one command at a time in
a new ``bash`` in a copy of the repository, after a real ``make demo`` there, as a new
user would paste them. Blocks fenced as ``text`` are descriptions (platform job
parameters, for example) and are not commands. A few commands cannot run unattended
(they start an interactive app or a server, or are the suite itself); each is listed
in :data:`RUN_ELSEWHERE` with the test that runs it instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"

RUN_ELSEWHERE: dict[str, str] = {
    # command prefix -> the test file that runs it
    "make test": "the CI itself (.ci/run)",
    "make bench": "tests/benchmarks/test_harness.py",
    "make demo": "this test (it runs first)",
    "dwh-tui": "tests/tui/test_tui_browse.py",
}
COMMAND_TIMEOUT = 300


def readme_blocks(text: str) -> list[list[tuple[str, int]]]:
    """Each ``bash`` block: its commands, each with the exit code it should end with.

    Continuation lines are joined and comments dropped. A command that fails on
    purpose says so in its comment: ``# exits 1: ...``.
    """
    blocks: list[list[tuple[str, int]]] = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        commands: list[tuple[str, int]] = []
        for line in joined.splitlines():
            command, comment = _split_comment(line)
            if command.strip():
                expected = re.search(r"\bexits (\d+)", comment)
                commands.append((command.strip(), int(expected[1]) if expected else 0))
        blocks.append(commands)
    return blocks


def readme_commands(text: str) -> list[tuple[str, int]]:
    """Every command of every ``bash`` block, in order."""
    return [command for block in readme_blocks(text) for command in block]


def block_script(block: list[tuple[str, int]]) -> str:
    """A bash script that runs a block's commands in one shell, as a user pastes it.

    Each command's exit code is checked against the one the README states; the first
    mismatch ends the script, naming the command.
    """
    lines = ["source .venv/bin/activate"]
    for command, expected in block:
        if elsewhere(command):
            continue
        quoted = command.replace("'", "'\\''")
        lines.append(command)
        lines.append(
            f'rc=$?; if [ "$rc" -ne {expected} ]; then '
            f"echo 'README command failed:' '{quoted}' \"(exit $rc, expected {expected})\" >&2; "
            "exit 97; fi"
        )
    return "\n".join(lines) + "\n"


def _split_comment(line: str) -> tuple[str, str]:
    """Split off a trailing ``# comment`` that is outside quotes."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index], line[index:]
    return line, ""


def elsewhere(command: str) -> str | None:
    """The test that runs ``command`` instead of this one, if it is listed."""
    for prefix, where in RUN_ELSEWHERE.items():
        if command == prefix or command.startswith(prefix + " "):
            return where
    return None


def test_readme_commands_are_found() -> None:
    commands = [command for command, _ in readme_commands(README.read_text(encoding="utf-8"))]
    assert "make demo" in commands
    assert "source .venv/bin/activate" in commands
    assert any(c.startswith("spark-submit scripts/glue/generic_entry.py") for c in commands)
    for where in RUN_ELSEWHERE.values():
        path = where.split(" ", 1)[0]
        if path.startswith("tests/"):
            assert (REPO / path).is_file(), f"{where} runs a README command: it must exist"


def _copy_repo(dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = REPO / os.fsdecode(name)
        if not source.exists():
            continue
        target = dest / os.fsdecode(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)  # keeps mtimes: make sees the venv as up to date
    (dest / ".venv").symlink_to(REPO / ".venv")


@pytest.mark.spark
def test_every_readme_command_works_in_a_fresh_shell_after_make_demo(tmp_path: Path) -> None:
    work = tmp_path / "dwh"
    _copy_repo(work)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DWH_", "VIRTUAL_ENV", "PYSPARK_", "SPARK_", "OPENLINEAGE"))
    }
    env["PATH"] = ":".join(
        p for p in env.get("PATH", "").split(":") if not p.endswith("/.venv/bin")
    )
    env["HOME"] = str(tmp_path / "home")
    # The venv's editable install points at this checkout; the copy's code comes first.
    env["PYTHONPATH"] = str(work)

    def shell(script: str) -> subprocess.CompletedProcess[str]:
        # A fresh shell, set up as the Quick start says.
        return subprocess.run(
            ["bash", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )

    # The copy shares this checkout's venv: `-o` keeps make from reinstalling it (an
    # editable install from the copy would point the venv at a folder about to vanish).
    demo = shell("make -o .venv/.installed demo")
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    failures: list[str] = []
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    try:
        for block in blocks:
            done = shell(block_script(block))
            if done.returncode != 0:
                failures.append(f"{done.stderr[-2500:]}\n{done.stdout[-1500:]}")
    finally:
        # The README starts a warm Spark server; never leave one behind.
        shell("source .venv/bin/activate\ndwh spark stop")
    assert sum(len(block) for block in blocks) >= 20
    assert not failures, "\n\n".join(failures)

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


def readme_commands(text: str) -> list[tuple[str, int]]:
    """Each command of every ``bash`` block and the exit code it should end with.

    Continuation lines are joined and comments dropped. A command that fails on
    purpose says so in its comment: ``# exits 1: ...``.
    """
    commands: list[tuple[str, int]] = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            command, comment = _split_comment(line)
            if command.strip():
                expected = re.search(r"\bexits (\d+)", comment)
                commands.append((command.strip(), int(expected[1]) if expected else 0))
    return commands


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
        if not key.startswith(("DWH_", "VIRTUAL_ENV", "PYSPARK_", "SPARK_"))
    }
    env["PATH"] = ":".join(
        p for p in env.get("PATH", "").split(":") if not p.endswith("/.venv/bin")
    )
    env["HOME"] = str(tmp_path / "home")
    # The venv's editable install points at this checkout; the copy's code comes first.
    env["PYTHONPATH"] = str(work)

    def shell(command: str) -> subprocess.CompletedProcess[str]:
        # A fresh shell, set up as the Quick start says.
        return subprocess.run(
            ["bash", "-c", f"source .venv/bin/activate\n{command}"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )

    demo = shell("make demo")
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    failures: list[str] = []
    ran = 0
    for command, expected in readme_commands(README.read_text(encoding="utf-8")):
        if elsewhere(command):
            continue
        done = shell(command)
        ran += 1
        if done.returncode != expected:
            failures.append(
                f"$ {command}\nexit {done.returncode} (expected {expected})\n"
                f"{done.stdout[-1500:]}{done.stderr[-1500:]}"
            )
    assert ran >= 10
    assert not failures, "\n\n".join(failures)

"""Fuzz every ``dwh`` command with odd arguments: one line, a known exit code, no writes.

Each example runs one command (discovered from the click app, so new commands and
options are covered without a change here) through click's ``CliRunner``, in a sandbox:
the working directory, ``DWH_HOME``, ``HOME`` and ``TMPDIR`` are inside the test's
folder. The arguments are odd files (dangling links, loops, FIFOs, a socket, folders,
binary, 3 MiB and undecodable-named files), odd strings (empty, control characters,
surrogates, ``..``, NUL), odd numbers, dates and JSON. For every example:

- no traceback reaches the user, and anything but ``SystemExit`` escaping is a failure;
- the exit code is one of :class:`dwh.errors.ExitCode`;
- a ``dwh: error:`` line is exactly one line, and the last thing on stderr;
- nothing is written outside the sandbox: the checkout's ``git status --ignored`` is the
  same before and after (bytecode caches aside), and no Java process is started.

Excluded, because they start servers or a JVM:

- ``dwh notebook``: starts JupyterLab and waits for Ctrl+C;
- ``dwh spark start``: starts the local Spark Connect server, a JVM;
- ``--warm`` (``dwh run``, ``dwh backfill``): starts or uses that server;
- ``--debug``: prints tracebacks on purpose.

``dwh run`` and ``dwh backfill`` of a job that needs Spark only get configs that fail
validation (an unknown key is added), so no Spark session starts; ``JAVA_HOME`` points
nowhere as a backstop. ``spark status``/``spark stop`` see a private discovery file.
The explicit examples are the four cases of issue 29. Hypothesis runs derandomized and
without its example database, so CI sees the same examples every time.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fuzz_support import (
    SURROGATE,
    Odd,
    Sandbox,
    Vocabulary,
    argv_for,
    build_sandbox,
    commands,
    inside,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dwh.cli import cli
from dwh.errors import ExitCode

REPO = Path(__file__).resolve().parents[2]
COMMANDS = commands()
EXIT_CODES = {int(code) for code in ExitCode}
CACHES = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis")
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _vocabulary() -> Vocabulary:
    from dwh.registry import discover_jobs, load_factory

    jobs = discover_jobs()
    return Vocabulary(
        jobs=[job.name for job in jobs],
        spark_jobs={job.name for job in jobs if load_factory(job).needs_spark},
        fields={job.name: list(load_factory(job).config_model.model_fields) for job in jobs},
        run_ids=["fuzz-run-1", "no-such-run"],
    )


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Vocabulary]]:
    """The sandbox, with one recorded noop run (``fuzz-run-1``) to look up."""
    box = build_sandbox(tmp_path_factory.mktemp("fuzz"))
    before = _checkout_state()
    with inside(box):
        seeded = CliRunner().invoke(cli, ["run", "noop", "-c", "{}", "--run-id", "fuzz-run-1"])
        assert seeded.exit_code == 0, seeded.output
        yield box, VOCAB
    assert _checkout_state() == before, "a command wrote into the checkout"


VOCAB = _vocabulary()


def _checkout_state() -> list[str]:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return sorted(line for line in status.splitlines() if not any(c in line for c in CACHES))


def _java_children() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == os.getpid() and b"java" in cmdline:
            found.append(int(entry.name))
    return found


def check_one(box: Sandbox, argv: list[str | Odd]) -> None:
    """Run ``dwh ARGV`` in the sandbox and check the promise for bad input."""
    args = box.resolve(argv)
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    brief = [a if len(a) < 80 else f"{a[:40]}...({len(a)} chars)" for a in args]
    shown = f"dwh {brief!r} -> {result.exit_code}\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown}\nescaped: {result.exception!r}") from result.exception
    assert "Traceback (most recent call last)" not in result.output, shown
    assert result.exit_code in EXIT_CODES, shown
    if "dwh: error: " in result.stderr:
        tail = result.stderr[result.stderr.index("dwh: error: ") :]
        assert tail.count("\n") == 1 and tail.endswith("\n"), f"not one line: {shown}"
    if argv[:1] == ["new"] and result.exit_code == 0:
        _check_scaffold_under_one_root(box, result.stdout, shown)
    assert not _java_children(), f"a JVM was started: {shown}"


def _check_scaffold_under_one_root(box: Sandbox, stdout: str, shown: str) -> None:
    written = [
        line.split(" ", 2)[-1]
        for line in stdout.splitlines()
        if line.startswith(("wrote ", "would write "))
    ]
    assert all(Path(path).is_relative_to(box.project) for path in written), shown


def test_every_command_is_discovered_and_none_excluded_silently() -> None:
    words = {command.words for command in COMMANDS}
    top = set(cli.list_commands(click.Context(cli)))
    assert {w[0] for w in words} | {"notebook"} == top
    assert ("spark", "start") not in words and ("spark", "status") in words


ISSUE_29: list[list[str | Odd]] = [
    ["preview", "/etc"],
    ["preview", Odd("etc-like")],
    ["preview", ""],
    ["new", "fuzz_outside"],  # the working directory is outside the project
    ["new", "fuzz_loose", "--package", "loosejobs"],  # a package in no project
    ["new", "list"],
    ["new", "json", "--dry-run"],
    ["run", "noop", "--config", "{}", "--events", Odd("dir")],
    ["run", "noop", "--config", "{}", "--events", Odd("fifo")],
]


FOUND: list[list[str | Odd]] = [
    ["validate", "noop", "1" * 5000],  # a name too long for the file system
    ["runs", "log", SURROGATE],  # a non-UTF-8 run id reached SQLite
    ["runs", "show", SURROGATE],
    ["schema", "\n"],  # a newline in the one error line
    ["show", "noop\x1b[2J"],
    ["new", "noop", "--root", "\x00"],  # NUL in a click.Path
    ["new", "fuzz_x", "--root", "\ud800"],  # a surrogate no argv can carry
    ["preview", Odd("undecodable-name")],  # pyarrow could not open a non-UTF-8 name
    ["preview", "s3://"],  # started Spark for nothing
    ["check", "--examples", Odd("loop")],  # a symlink loop
    ["backfill", "noop", "-c", "{}", "--from", "0001-01-01", "--to", "9999-12-31",
     "--date-field", "message", "--dry-run"],  # planned 3.6 million dates
]  # fmt: skip
"""What the harness found on main, kept as explicit examples."""


def test_issue_29_cases(sandbox: tuple[Sandbox, Vocabulary]) -> None:
    box, _ = sandbox
    with inside(box):
        for argv in ISSUE_29:
            check_one(box, argv)
    assert not (box.cwd / "tests").exists() and not (box.cwd / "notebooks").exists()
    assert (box.project / "fuzzjobs" / "fuzz_outside" / "fuzz_outside_job.py").is_file()
    assert (box.project / "notebooks" / "fuzz_outside.ipynb").is_file()
    assert not (box.loose / "loosejobs" / "fuzz_loose").exists()
    assert not (box.project / "fuzzjobs" / "list").exists()


def _with_explicit_examples(test):  # type: ignore[no-untyped-def]
    for argv in reversed(ISSUE_29 + FOUND):
        test = example(argv=argv)(test)
    return test


@FUZZ
@_with_explicit_examples
@given(argv=st.sampled_from(COMMANDS).flatmap(lambda command: argv_for(command, VOCAB)))
def test_every_command_survives_odd_arguments(
    sandbox: tuple[Sandbox, Vocabulary], argv: list[str | Odd]
) -> None:
    box, _ = sandbox
    with inside(box):
        check_one(box, argv)


REAL: list[list[str | Odd]] = [
    ["preview", Odd("undecodable-name")],  # a non-UTF-8 path printed to a real stdout
    ["preview", Odd("control-name")],
    ["runs", "show", SURROGATE],  # a non-UTF-8 byte in a real argv
    ["show", f"noop{SURROGATE}\x1b[31m"],
    ["validate", "noop", Odd("latin1")],
    ["run", "noop", "-c", "{}", "--events", Odd("fifo")],
]
"""Examples run as real processes too: real argv bytes, real stream encodings."""


@pytest.mark.parametrize("argv", REAL, ids=[str(i) for i in range(len(REAL))])
def test_a_real_process_survives_odd_bytes(
    sandbox: tuple[Sandbox, Vocabulary], argv: list[str | Odd]
) -> None:
    import sys

    box, _ = sandbox
    with inside(box):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(box.project)])}
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from dwh.cli import main; sys.exit(main())",
             *(os.fsencode(a) for a in box.resolve(argv))],
            capture_output=True, env=env, timeout=120, check=False,
        )  # fmt: skip
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode in EXIT_CODES, stderr
    assert "Traceback" not in stderr, stderr
    if "dwh: error: " in stderr:
        assert stderr[stderr.index("dwh: error: ") :].count("\n") == 1, stderr

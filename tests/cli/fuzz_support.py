"""The fuzz harness's pieces: a sandbox of odd files, the commands, and argument strategies.

Commands are discovered from the click app (:data:`dwh.cli.app.COMMANDS` through the
group's own ``list_commands``/``get_command``), so a new command or option is fuzzed
without a change here; a parameter's values come from its name when it is one of
:data:`BY_NAME`, else from its click type.
"""

from __future__ import annotations

import json
import os
import socket
import string
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from hypothesis import strategies as st

from dwh.cli import cli

EXCLUDED_COMMANDS: dict[tuple[str, ...], str] = {
    ("notebook",): "starts a JupyterLab server and waits for Ctrl+C",
    ("spark", "start"): "starts the local Spark Connect server, a JVM",
}
"""Commands the harness never runs, and why."""

EXCLUDED_PARAMS: dict[str, str] = {
    "warm": "--warm (dwh run, dwh backfill) starts or uses the local Spark server, a JVM",
    "debug": "--debug prints tracebacks on purpose",
}
"""Parameters (by click name) the harness never passes, and why."""

SPARK_SAFE_NOTE = (
    "a job that needs Spark only ever gets configs that fail validation (an unknown key "
    "is added), so no session starts; JAVA_HOME points nowhere as a backstop"
)


@dataclass(frozen=True)
class Odd:
    """A file in the sandbox, named by its kind (resolved when the example runs)."""

    kind: str


@dataclass(frozen=True)
class Command:
    """One runnable command: its words after ``dwh`` and its click object."""

    words: tuple[str, ...]
    command: click.Command

    @property
    def params(self) -> list[click.Parameter]:
        return [p for p in self.command.params if p.name not in EXCLUDED_PARAMS]


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[Command]:
    """Every command of the app (a group that runs alone too), minus the excluded ones."""
    found: list[Command] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        words = (*prefix, name)
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                found.append(Command(words, command))
            found.extend(commands(command, words))
        elif words not in EXCLUDED_COMMANDS:
            found.append(Command(words, command))
    return found


# -- the sandbox ------------------------------------------------------------------------

ODD_KINDS = (
    "dir",
    "etc-like",
    "dangling",
    "loop",
    "fifo",
    "socket",
    "binary",
    "big",
    "empty",
    "valid-json",
    "array-json",
    "latin1",
    "parquet",
    "csv",
    "control-name",
    "undecodable-name",
    "missing",
    "under-a-file",
)


@dataclass(frozen=True)
class Sandbox:
    """The test's folder: the working directory, DWH_HOME, a project, the odd files."""

    root: Path
    cwd: Path
    home: Path
    project: Path
    loose: Path

    def path(self, kind: str) -> str:
        """The path of one odd file (a string: some are not valid UTF-8)."""
        return str(self.root / "odd" / _NAMES.get(kind, kind))

    def resolve(self, argv: list[str | Odd]) -> list[str]:
        return [self.path(a.kind) if isinstance(a, Odd) else a for a in argv]


_NAMES = {
    "binary": "binary.bin",
    "big": "big.json",
    "empty": "empty.json",
    "valid-json": "valid.json",
    "array-json": "array.json",
    "latin1": "latin1.json",
    "parquet": "data.parquet",
    "csv": "data.csv",
    "control-name": "ctl\x01\x1b[31m\nname.json",
    "undecodable-name": os.fsdecode(b"bad-\xff-name.json"),
    "under-a-file": "valid.json/child.json",
}


def build_sandbox(root: Path) -> Sandbox:
    """Make the sandbox: every odd kind of :data:`ODD_KINDS`, and two job packages.

    ``fuzzjobs`` sits in a project (a ``pyproject.toml``), so ``dwh new`` writes there;
    ``loosejobs`` sits in no project, so ``dwh new --package loosejobs`` must refuse.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    odd = root / "odd"
    odd.mkdir(parents=True)
    (odd / "dir").mkdir()
    etc = odd / "etc-like"
    (etc / "modules-load.d").mkdir(parents=True)
    (etc / "modules-load.d" / "modules.conf").symlink_to(etc / "gone")
    (etc / "hosts").write_text("127.0.0.1 localhost\n")
    (etc / ".pwd.lock").touch()
    (etc / "part-00000.csv").symlink_to(etc / "gone.csv")
    (odd / "dangling").symlink_to(odd / "nothing-here")
    (odd / "loop").symlink_to(odd / "loop")
    os.mkfifo(odd / "fifo")
    os.mkfifo(etc / "part-00001.json")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(odd / "socket"))
    sock.close()
    (odd / _NAMES["binary"]).write_bytes(bytes(range(256)) * 16)
    (odd / _NAMES["big"]).write_bytes(b'{"message": "' + b"x" * (3 * 2**20) + b'"}')
    (odd / _NAMES["empty"]).touch()
    (odd / _NAMES["valid-json"]).write_text("{}")
    (odd / _NAMES["array-json"]).write_text("[1, 2]")
    (odd / _NAMES["latin1"]).write_bytes('{"message": "café"}'.encode("latin-1"))
    table = pa.table({"id": [1, 2, 3], "name": ["a", None, "\x00c"]})
    pq.write_table(table, odd / _NAMES["parquet"])
    pacsv.write_csv(table, odd / _NAMES["csv"])
    (odd / _NAMES["control-name"]).write_text("{}")
    (odd / _NAMES["undecodable-name"]).write_text("{}")
    project = root / "project"
    (project / "fuzzjobs").mkdir(parents=True)
    (project / "fuzzjobs" / "__init__.py").write_text('"""Jobs the harness scaffolds."""\n')
    (project / "pyproject.toml").write_text('[project]\nname = "fuzz"\nversion = "0.0.1"\n')
    loose = root / "loose"
    (loose / "loosejobs").mkdir(parents=True)
    (loose / "loosejobs" / "__init__.py").write_text("")
    cwd = root / "work" / "deep" / "er"  # "..", "../.." stay in the sandbox
    cwd.mkdir(parents=True)
    return Sandbox(root=root, cwd=cwd, home=root / "home", project=project, loose=loose)


@contextmanager
def inside(box: Sandbox) -> Iterator[None]:
    """Work in the sandbox: its cwd, DWH_HOME, HOME, TMPDIR and job packages; private Spark."""
    import sys
    import tempfile

    from dwh.settings import environ_scope

    variables: dict[str, str | None] = {
        "DWH_HOME": str(box.home),
        "HOME": str(box.root / "user-home"),
        "TMPDIR": str(box.root / "tmp"),
        "DWH_LOCK_DIR": str(box.root / "locks"),
        "DWH_JOB_PACKAGES": "fuzzjobs,loosejobs,dwh.jobs",
        "DWH_ALERTS": "off",
        "SPARK_LOCAL_CONNECT_DISCOVERY": str(box.root / "connect-local.json"),
        "DWH_SPARK_PORT": "1",
        "JAVA_HOME": str(box.root / "no-java"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for name in (*os.environ,):
        if name.startswith(("DWH_", "OPENLINEAGE")) and name not in variables:
            variables[name] = None
    (box.root / "tmp").mkdir(exist_ok=True)
    with ExitStack() as stack:
        stack.enter_context(environ_scope(variables))
        stack.enter_context(_chdir(box.cwd))
        saved = (list(sys.path), tempfile.tempdir, sys.dont_write_bytecode)
        sys.path[:0] = [str(box.project), str(box.loose)]
        tempfile.tempdir = None
        sys.dont_write_bytecode = True
        try:
            yield
        finally:
            sys.path[:], tempfile.tempdir, sys.dont_write_bytecode = saved


@contextmanager
def _chdir(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


# -- argument strategies ----------------------------------------------------------------

SURROGATE = os.fsdecode(b"\xff")  # what a non-UTF-8 byte in argv becomes
ODD_TEXT: list[str] = [
    "",
    " ",
    "..",
    "../..",
    "-",
    "--",
    "\x00",
    "a\x00b",
    "\n",
    "line\nbreak",
    "\r\x1b[2J",
    "\t",
    SURROGATE,
    "\ud800",
    "é",
    "\U0001d521\U0001d534\U0001d525",  # look-alikes of "dwh"
    "x" * 5000,
    "$(touch pwned)",
    "%s%n",
    "{}",
    "null",
    "file:",
    "file:///",
    "s3://",
    "sc://",
    "sc://127.0.0.1:1",
    "fd:0",
    "fd:-1",
]
ODD_NUMBERS = ["0", "-1", "1", "65535", "65536", "2147483648", "1e3", "nan", "-0", "0x10",
               "١٢", "99999999999999999999999"]  # fmt: skip
DATES = ["2026-01-01", "2026-01-02", "2026-01-03", "2025-12-31", "2026-02-30", "2026-13-01",
         "0001-01-01", "9999-12-31", "20260101", " 2026-01-01 ", "2026-01-01T00:00:00",
         "yesterday", "2026-1-1", ""]  # fmt: skip


def odd_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_TEXT),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
        st.text(alphabet=string.printable, max_size=20),
    )


def odd_paths(*, system: bool) -> st.SearchStrategy[str | Odd]:
    """Paths to odd files; with ``system``, read-only places outside the sandbox too."""
    choices: list[str | Odd] = [Odd(kind) for kind in ODD_KINDS]
    if system:
        choices += ["/etc", "/dev/zero", "/dev/null", "/proc/self"]
    return st.one_of(st.sampled_from(choices), st.sampled_from(ODD_TEXT[:16]))


def json_texts() -> st.SearchStrategy[str]:
    """Odd JSON: random values, arrays, deep nesting, huge and odd numbers, escapes."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=8),
        st.sampled_from([10**400, -(2**63), 1e308, 0.1]),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                    max_size=3),
        max_leaves=8,
    )  # fmt: skip
    literal = st.sampled_from([
        "", "{", "{}", "[]", '"x"', "null", "{" * 5000, '{"a": 1, "a": 2}', '{"\\ud800": 1}',
        '{"message": "\\udfff"}', "{'a': 1}", '{"message": NaN}', '{"sleep_seconds": 1e999}',
        "1" * 5000, "\ufeff{}",
    ])  # fmt: skip
    return st.one_of(literal, values.map(lambda v: json.dumps(v, allow_nan=True)))


def configs(fields: dict[str, list[str]]) -> st.SearchStrategy[str | Odd]:
    """A ``--config``/``CONFIG`` value: odd JSON, odd files, or a job's fields with odd
    values plus an unknown key, so that such a config never validates (nothing runs)."""
    field_names = sorted({name for names in fields.values() for name in names})
    field_values = st.one_of(
        st.sampled_from(DATES + ODD_NUMBERS), st.integers(), st.floats(), st.none(),
        st.booleans(), st.text(max_size=8), st.lists(st.text(max_size=3), max_size=2),
    )  # fmt: skip
    invalid_objects = st.dictionaries(
        st.sampled_from(field_names or ["x"]), field_values, max_size=4
    ).map(lambda d: json.dumps({**d, "__fuzz__": True}, allow_nan=True))
    return st.one_of(
        json_texts().filter(_never_sleeps),
        invalid_objects,
        odd_paths(system=True),
        st.just("-"),
    )


def _never_sleeps(text: str) -> bool:
    # noop's sleep_seconds up to 3600 would be a valid config that sleeps for an hour.
    return "sleep" not in text


@dataclass(frozen=True)
class Vocabulary:
    """What the strategies draw real names from: jobs, their fields, runs, packages."""

    jobs: list[str]
    spark_jobs: set[str]
    fields: dict[str, list[str]]
    run_ids: list[str]


def value_for(param: click.Parameter, words: tuple[str, ...], vocab: Vocabulary
              ) -> st.SearchStrategy[str | Odd]:  # fmt: skip
    """A strategy for one parameter's value: by its name, else by its click type."""
    name = param.name or ""
    jobs = st.sampled_from(vocab.jobs)
    by_name: dict[str, st.SearchStrategy[str | Odd]] = {
        "job": st.one_of(jobs, jobs, odd_text(), st.sampled_from(["list", "json", "fuzz_ok"])),
        "jobs": st.one_of(jobs, odd_text()),
        "config": configs(vocab.fields),
        "date_from": st.sampled_from(DATES),
        "date_to": st.sampled_from(DATES),
        "date_field": st.one_of(
            st.sampled_from(sorted({f for fs in vocab.fields.values() for f in fs})), odd_text()
        ),
        "run_id": st.one_of(st.sampled_from(vocab.run_ids), odd_text()),
        "backfill_id": st.one_of(st.sampled_from(vocab.run_ids), odd_text()),
        "package": st.sampled_from(["fuzzjobs", "loosejobs", "nosuch", "os", "", "fuzzjobs."]),
        "spark_remote": st.sampled_from(["sc://127.0.0.1:1", "sc://", "local[*]", "", "\x00"]),
        "target": st.one_of(odd_paths(system=True), st.sampled_from(vocab.run_ids), odd_text()),
    }
    writes = {"events", "log_path", "dist", "root", "triggers_path", "examples"}
    if name in by_name:
        return by_name[name]
    if name in writes:
        return st.one_of(odd_paths(system=False), st.just(str(Path("..") / "new-file")))
    kind = param.type
    if isinstance(kind, click.Choice):
        return st.one_of(st.sampled_from([str(c) for c in kind.choices]), odd_text())
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        return st.one_of(st.sampled_from(ODD_NUMBERS), st.integers(-5, 70_000).map(str))
    if isinstance(kind, click.Path):
        return odd_paths(system=False)
    return st.one_of(odd_text(), odd_paths(system=False), json_texts())


def argv_for(command: Command, vocab: Vocabulary) -> st.SearchStrategy[list[str | Odd]]:
    """Arguments for one command: each option maybe, each argument always (or left out)."""

    @st.composite
    def build(draw: st.DrawFn) -> list[str | Odd]:
        argv: list[str | Odd] = list(command.words)
        options: list[str | Odd] = []
        arguments: list[str | Odd] = []
        job: str | Odd | None = None
        for param in command.params:
            if isinstance(param, click.Argument):
                if not param.required and draw(st.booleans()):
                    continue
                count = param.nargs if param.nargs > 0 else draw(st.integers(0, 2))
                values = [draw(value_for(param, command.words, vocab)) for _ in range(count)]
                if param.name == "job" and values:
                    job = values[0]
                arguments += values
                continue
            assert isinstance(param, click.Option)
            if not param.required and draw(st.integers(0, 2)) == 0:
                continue
            flag = param.opts[0]
            if param.is_flag:
                options.append(flag)
            else:
                options += [flag, draw(value_for(param, command.words, vocab))]
        if job in vocab.spark_jobs:
            options = [_never_valid(o) if _is_config(options, i) else o
                       for i, o in enumerate(options)]  # fmt: skip
            arguments = [_never_valid(a) if i == 1 else a for i, a in enumerate(arguments)]
        if draw(st.sampled_from([False] * 20 + [True])):
            options.append("--help")
        order = draw(st.booleans())
        return argv + (options + arguments if order else arguments + options)

    return build()


def _is_config(options: list[str | Odd], index: int) -> bool:
    return index > 0 and options[index - 1] in ("--config", "-c")


def _never_valid(config: str | Odd) -> str:
    """A config for a job that needs Spark: always one unknown key, so it never validates."""
    if isinstance(config, str):
        try:
            value = json.loads(config)
        except ValueError:
            return config if config.strip()[:1] == "{" else '{"__fuzz__": 1}'
        if isinstance(value, dict):
            return json.dumps({**value, "__fuzz__": 1})
    return '{"__fuzz__": 1}'

"""The bad-input catalogue: every front door refuses bad input with one clear line.

Each row is one bad input given to one front door: the generic entry (in-process
``dwh.entry.main``, or the real ``scripts/glue/generic_entry.py`` in a subprocess), the
``dwh`` command line, the notebook library (``dwh.notebook.prepare_run``, what the
notebooks' first cell calls) and the TUI's live validation (``tui.validation``). Each
must give its documented exit code, one line naming the problem (the command line's
``validate``/``run`` add one ``  - problem`` line per problem under it), no traceback,
and nothing written under the output folder. ``docs/errors.md`` is the user-facing
copy of this table; a test checks that every row is there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dwh.cli import cli
from dwh.entry import main as entry_main
from dwh.errors import DwhError
from dwh.notebook import prepare_run
from dwh.registry import find_job, load_factory
from tui.validation import validate_config

REPO = Path(__file__).resolve().parents[2]
GLUE_ENTRY = REPO / "scripts" / "glue" / "generic_entry.py"
DOCS = REPO / "docs" / "errors.md"
NOOP = "dwh.jobs.noop.noop_job_factory"
TRANSFORM = "dwh.jobs.transform_images.transform_images_job_factory"
FILTER = "dwh.jobs.filter_images.filter_images_job_factory"

# {tmp} is the test's folder, {out} the output folder that must never appear.
T_OK = {"raw_path": "{tmp}/raw.jsonl", "output_path": "{out}/transformed"}
F_OK = {
    "base_path": "{out}/filtered",
    "timezone": "UTC",
    "transform_output_path": "{tmp}/transformed",
    "run_date": "2026-11-24",
}


def with_(base: dict[str, Any], **changes: Any) -> str:
    """``base`` with keys changed (a value of ... drops the key), as JSON text."""
    data = {**base, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...})


@dataclass(frozen=True)
class BadInput:
    """One row of the catalogue.

    Attributes:
        name: The row's id, also listed in docs/errors.md.
        door: ``entry``, ``subprocess``, ``cli``, ``notebook`` or ``tui``.
        args: The argv (entry, subprocess, cli), or (module, job_config, has_spark)
            for the notebook, or (job, text) for the TUI.
        exit_code: The documented exit code (None for the TUI: Run stays disabled).
        names: Text the one error line must contain.
    """

    name: str
    door: str
    args: tuple[Any, ...]
    exit_code: int | None
    names: str


def entry(
    name: str, module: str, config: str | None, code: int, names: str, *extra: str
) -> BadInput:
    job = module.split(".")[-1].removesuffix("_job_factory")
    argv = ["--module_name", module, *extra]
    if config is not None:
        argv += [f"--{job}_job", config]
    return BadInput(name, "entry", tuple(argv), code, names)


BIG = json.dumps({"message": "x" * (1024 * 1024)})

CATALOGUE: list[BadInput] = [
    # JSON shape
    entry("malformed-json", TRANSFORM, '{"raw_path": tmp}', 2, "config is not valid JSON"),
    entry("truncated-json", TRANSFORM, with_(T_OK)[:-9], 2, "config is not valid JSON"),
    entry("empty-config", TRANSFORM, "", 2, "config is empty"),
    entry("blank-config", FILTER, " \n\t ", 2, "config is empty"),
    entry("json-array", TRANSFORM, "[1, 2]", 2, "must be a JSON object, got an array"),
    entry("json-string", FILTER, '"UTC"', 2, "must be a JSON object, got a string"),
    entry("json-null", NOOP, "null", 2, "must be a JSON object, got null"),
    entry("duplicate-key", FILTER, '{"timezone": "UTC", "timezone": "CET"}', 2, "timezone"),
    entry("deeply-nested-json", NOOP, "[" * 100_000 + "]" * 100_000, 2, "nested too deeply"),
    entry("5000-digit-number", NOOP, '{"sleep_seconds": ' + "9" * 5000 + "}", 2, "4300 digits"),
    entry("nan-number", NOOP, '{"sleep_seconds": NaN}', 2, "'sleep_seconds'"),
    entry(
        "lone-surrogate",
        NOOP,
        '{"message": "\\ud800", "password": "hunter22"}',
        2,
        "config is not valid: Invalid JSON",
    ),
    entry("config-over-1mib", NOOP, BIG, 2, "the limit is 1,048,576 bytes (1 MiB)"),
    # a config read from a file: --noop_job @PATH
    entry("config-file-missing", NOOP, "@{tmp}/nope.json", 2, "nope.json does not exist"),
    entry("config-file-is-a-folder", NOOP, "@{tmp}", 2, "is a folder, not a file"),
    entry("config-file-name-missing", NOOP, "@", 2, "config file name is missing after '@'"),
    entry("config-file-over-1mib", NOOP, "@{tmp}/big.json", 2, "over the limit of 1,048,576"),
    entry("config-file-endless", NOOP, "@/dev/zero", 2, "over the limit of 1,048,576 bytes"),
    entry("config-file-not-utf8", NOOP, "@{tmp}/binary.json", 2, "not valid UTF-8 text"),
    entry("config-file-json-array", NOOP, "@{tmp}/array.json", 2, "must be a JSON object"),
    # types, ranges, keys
    entry(
        "wrong-type-string-for-int",
        FILTER,
        with_(F_OK, lookback_days="30"),
        2,
        "'lookback_days': Input should be a valid integer",
    ),
    entry(
        "wrong-type-int-for-string",
        TRANSFORM,
        with_(T_OK, raw_path=5),
        2,
        "'raw_path': Input should be a valid string",
    ),
    entry("wrong-type-bool-for-int", FILTER, with_(F_OK, lookback_days=True), 2, "'lookback_days'"),
    entry(
        "out-of-range-negative",
        FILTER,
        with_(F_OK, lookback_days=-1),
        2,
        "'lookback_days': Input should be greater than or equal to 0",
    ),
    entry(
        "out-of-range-too-big",
        NOOP,
        '{"sleep_seconds": 5000}',
        2,
        "'sleep_seconds': Input should be less than or equal to 3600",
    ),
    entry("empty-path", TRANSFORM, with_(T_OK, output_path=""), 2, "'output_path'"),
    entry(
        "unknown-key",
        FILTER,
        with_(F_OK, transfrom_output_path="x"),
        2,
        "did you mean 'transform_output_path'",
    ),
    entry(
        "missing-key",
        TRANSFORM,
        with_(T_OK, output_path=...),
        2,
        "'output_path': required field is missing",
    ),
    entry(
        "invalid-time-zone",
        FILTER,
        with_(F_OK, timezone="Mars/Base"),
        2,
        "unknown IANA time zone 'Mars/Base'",
    ),
    entry(
        "time-zone-path-trick",
        FILTER,
        with_(F_OK, timezone="../../etc/passwd"),
        2,
        "unknown IANA time zone",
    ),
    entry("invalid-date-feb-30", FILTER, with_(F_OK, run_date="2026-02-30"), 2, "'run_date'"),
    entry("invalid-date-word", FILTER, with_(F_OK, run_date="yesterday"), 2, "'run_date'"),
    # module names
    entry("module-outside-prefixes", "os", "{}", 2, "outside the allowed packages"),
    entry("module-dot-dot", "dwh.jobs..noop.noop_job_factory", "{}", 2, "invalid --module_name"),
    entry("module-relative", ".noop.noop_job_factory", "{}", 2, "invalid --module_name"),
    entry(
        "module-parent-path", "../dwh/jobs/noop/noop_job_factory", "{}", 2, "invalid --module_name"
    ),
    entry("module-slash-path", "dwh/jobs/noop/noop_job_factory", "{}", 2, "invalid --module_name"),
    entry(
        "module-unicode-look-alike",
        "dwh.jobs.noop.noop_job_f\u0430ctory",
        "{}",
        2,
        "invalid --module_name",
    ),
    entry(
        "module-prefix-trick", "dwh.jobsx.noop_job_factory", "{}", 2, "outside the allowed packages"
    ),
    entry("module-missing", "dwh.jobs.nope.nope_job_factory", "{}", 2, "no job module named"),
    entry(
        "module-raises-on-import",
        "acmejobs.boom.boom_job_factory",
        "{}",
        2,
        "failed to import: RuntimeError: cannot reach the metastore",
    ),
    entry(
        "module-without-main",
        "acmejobs.nomain.nomain_job_factory",
        "{}",
        2,
        "has no main(**kwargs)",
    ),
    # the rest of the command line
    BadInput("missing-module-name", "entry", ("--noop_job", "{}"), 2, "missing --module_name"),
    entry(
        "misspelt-config-flag",
        FILTER,
        None,
        2,
        "unexpected argument --filter_image_job",
        "--filter_image_job",
        with_(F_OK),
    ),
    entry("config-flag-without-value", NOOP, None, 2, "--noop_job needs a value", "--noop_job"),
    entry("config-given-twice", NOOP, "{}", 2, "give the config once", "--job_config", "{}"),
    entry(
        "has-spark-not-a-boolean",
        NOOP,
        "{}",
        2,
        "--has_spark must be true or false",
        "--has_spark",
        "maybe",
    ),
    entry(
        "spark-job-without-spark",
        TRANSFORM,
        with_(T_OK),
        2,
        "needs Spark: pass --has_spark true",
        "--has_spark",
        "false",
    ),
    entry(
        "spark-job-without-spark-and-a-bad-config",
        FILTER,
        with_(F_OK, base_path=..., timezone="Mars/Base"),
        2,
        "(3 problems): [1] the job needs Spark: pass --has_spark true (got false) [2] 'base_path'",
        "--has_spark",
        "false",
    ),
    # the real script, in its own process
    BadInput(
        "argv-not-utf8",
        "subprocess",
        ("--module_name", NOOP, "--noop_job", b'{"message": "\xff"}', "--has_spark", "false"),
        2,
        "config is not valid UTF-8 text",
    ),
    BadInput(
        "script-module-outside-prefixes",
        "subprocess",
        ("--module_name", "subprocess", "--has_spark", "false"),
        2,
        "outside the allowed packages",
    ),
    # the dwh command line
    BadInput(
        "cli-unknown-job", "cli", ("validate", "nosuchjob", "{}"), 2, "unknown job 'nosuchjob'"
    ),
    BadInput(
        "cli-empty-config-file",
        "cli",
        ("validate", "noop", "{tmp}/empty.json"),
        2,
        "config is empty",
    ),
    BadInput(
        "cli-binary-config-file",
        "cli",
        ("validate", "noop", "{tmp}/binary.json"),
        2,
        "codec can't decode byte",
    ),
    BadInput(
        "cli-latin1-config-file",
        "cli",
        ("run", "noop", "--config", "{tmp}/latin1.json"),
        2,
        "codec can't decode byte",
    ),
    BadInput(
        "cli-config-file-over-1mib",
        "cli",
        ("validate", "noop", "{tmp}/big.json"),
        2,
        "larger than the 1 MiB config limit",
    ),
    BadInput(
        "cli-missing-config-file",
        "cli",
        ("validate", "noop", "{tmp}/nope.json"),
        2,
        "no file named",
    ),
    BadInput(
        "cli-json-array",
        "cli",
        ("validate", "noop", "{tmp}/array.json"),
        2,
        "must be a JSON object, got an array",
    ),
    BadInput(
        "cli-run-invalid-time-zone",
        "cli",
        ("run", "filter_images", "--config", with_(F_OK, timezone="Mars/Base")),
        2,
        "unknown IANA time zone 'Mars/Base'",
    ),
    BadInput("cli-unknown-run-id", "cli", ("runs", "show", "no-such-run"), 2, "no run with id"),
    # the notebook library (what each notebook's first cell calls)
    BadInput(
        "notebook-module-outside-prefixes",
        "notebook",
        ("os", {}, None),
        2,
        "outside the allowed packages",
    ),
    BadInput(
        "notebook-python-code-as-config",
        "notebook",
        (NOOP, "__import__('os').system('touch {out}')", None),
        2,
        "config is not valid JSON",
    ),
    BadInput("notebook-no-config", "notebook", (NOOP, None, None), 2, "no config given"),
    BadInput(
        "notebook-config-file-missing",
        "notebook",
        (NOOP, "@{tmp}/nope.json", None),
        2,
        "nope.json does not exist",
    ),
    BadInput(
        "notebook-unknown-key",
        "notebook",
        (FILTER, {**F_OK, "lookbak_days": 3}, None),
        2,
        "did you mean 'lookback_days'",
    ),
    BadInput(
        "notebook-spark-job-without-spark-and-a-bad-config",
        "notebook",
        (FILTER, {**F_OK, "lookbak_days": 3}, False),
        2,
        "[1] the job needs Spark: pass --has_spark true (got false) [2] unknown key 'lookbak_days'",
    ),
    BadInput(
        "notebook-has-spark-not-a-boolean",
        "notebook",
        (NOOP, {}, "maybe"),
        2,
        "has_spark must be true or false",
    ),
    # the TUI's editor: Run stays disabled, one problem names what is wrong
    BadInput(
        "tui-python-code", "tui", ("noop", "__import__('os').system('true')"), None, "invalid JSON"
    ),
    BadInput("tui-json-array", "tui", ("noop", "[]"), None, "must be a JSON object, got an array"),
    BadInput("tui-config-over-1mib", "tui", ("noop", BIG), None, "1 MiB"),
    BadInput(
        "tui-invalid-time-zone",
        "tui",
        ("filter_images", with_(F_OK, timezone="Moon/Crater")),
        None,
        "unknown IANA time zone 'Moon/Crater'",
    ),
    BadInput(
        "tui-invalid-date",
        "tui",
        ("filter_images", with_(F_OK, run_date="2026-13-01")),
        None,
        "'run_date'",
    ),
    BadInput(
        "tui-deeply-nested-json",
        "tui",
        ("noop", "[" * 100_000 + "]" * 100_000),
        None,
        "nested too deeply",
    ),
]

RAW_FILES = {
    "raw-file-empty": ("empty.jsonl", "is empty: no lines to read"),
    "raw-file-binary": ("binary.jsonl", "is not UTF-8 text (binary data?)"),
    "raw-file-latin1": ("latin1.jsonl", "is not UTF-8 text"),
    "raw-file-100mb-line": (
        "huge-line.jsonl",
        "line 1 is longer than the limit of 16,777,216 bytes",
    ),
}


@pytest.fixture
def tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Inputs for the rows, and job packages ``acmejobs.boom`` and ``acmejobs.nomain``."""
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "binary.json").write_bytes(bytes(range(256)))
    (tmp_path / "latin1.json").write_bytes('{"message": "caf\xe9"}'.encode("latin-1"))
    (tmp_path / "big.json").write_text(BIG)
    (tmp_path / "array.json").write_text("[]")
    (tmp_path / "raw.jsonl").write_text('{"image_id": "a"}\n')
    for name, body in {
        "nomain": '"""No main here."""\nVALUE = 1\n',
        "boom": '"""Raises on import."""\nraise RuntimeError("cannot reach the metastore")\n',
    }.items():
        (tmp_path / "acmejobs" / name).mkdir(parents=True)
        (tmp_path / "acmejobs" / name / "__init__.py").write_text("")
        (tmp_path / "acmejobs" / name / f"{name}_job_factory.py").write_text(body)
    (tmp_path / "acmejobs" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "dwh.jobs,acmejobs")
    monkeypatch.setenv("DWH_ALERTS", "off")
    monkeypatch.delenv("DWH_RUN_STORE", raising=False)
    yield tmp_path
    for module in [m for m in sys.modules if m.startswith("acmejobs")]:
        del sys.modules[module]


def fill(value: Any, tmp: Path) -> Any:
    out = str(tmp / "out")
    if isinstance(value, str):
        return value.replace("{tmp}", str(tmp)).replace("{out}", out)
    if isinstance(value, dict):
        return {k: fill(v, tmp) for k, v in value.items()}
    return value


def attempt(
    case: BadInput, tmp: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int | None, str]:
    """Give the row's input to its front door; return the exit code and what it said."""
    args = [fill(arg, tmp) for arg in case.args]
    if case.door == "entry":
        code = entry_main(args)
        return code, capsys.readouterr().err
    if case.door == "subprocess":
        argv = [os.fsencode(a) if isinstance(a, str) else a for a in args]
        env = {**os.environ, "PYTHONPATH": str(tmp)}
        proc = subprocess.run(
            [sys.executable, os.fsencode(GLUE_ENTRY), *argv],
            capture_output=True,
            env=env,
            timeout=60,
        )
        return proc.returncode, proc.stderr.decode("utf-8", errors="replace")
    if case.door == "cli":
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        return result.exit_code, result.stderr
    if case.door == "notebook":
        module, job_config, has_spark = args
        try:
            prepare_run(module, job_config, has_spark=has_spark)
        except DwhError as err:
            return err.exit_code, f"{type(err).__name__}: {err}\n"
        raise AssertionError(f"{case.name}: the notebook accepted it")
    job, text = args
    model = load_factory(find_job(job)).config_model
    problems = validate_config(model, text, job=job)
    return None, "".join(f"{p.message}\n" for p in problems)


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.name for c in CATALOGUE])
def test_bad_input_gives_its_exit_code_and_one_line(
    case: BadInput, tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = attempt(case, tmp, capsys)
    assert code == case.exit_code, said
    assert "Traceback" not in said
    verdicts = [line for line in said.splitlines() if not line.startswith("  - ")]
    assert len(verdicts) == 1, said
    assert case.names in said, said
    assert len(said) < 2000, "the line names the problem; it does not echo the input"
    assert not (tmp / "out").exists()


@pytest.fixture(scope="module")
def raw_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("raw")
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "binary.jsonl").write_bytes(bytes(range(256)) * 64)
    (folder / "latin1.jsonl").write_bytes('{"image_id": "caf\xe9"}\n'.encode("latin-1"))
    with (folder / "huge-line.jsonl").open("wb") as stream:
        stream.write(b'{"image_id": "')
        for _ in range(100):
            stream.write(b"a" * (1024 * 1024))
        stream.write(b'"}\n')
    return folder


def test_raw_inputs_that_are_not_json_lines_fail_the_run_before_anything_is_written(
    spark: Any, raw_inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One Spark session for all four; the reader refuses them before Spark reads a byte."""
    for name, (file, names) in RAW_FILES.items():
        out = tmp_path / name
        config = {"raw_path": str(raw_inputs / file), "output_path": str(out / "transformed")}
        argv = ["--module_name", TRANSFORM, "--transform_images_job", json.dumps(config)]
        code = entry_main([*argv, "--has_spark", "true"])
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if not line.startswith("dwh: alert: ")]
        assert code == 1, (name, err)
        assert len(lines) == 1, (name, err)
        assert lines[0].startswith("dwh: error: raw input ")
        assert names in lines[0], (name, err)
        assert not out.exists(), name


def test_the_catalogue_has_forty_rows_over_every_front_door() -> None:
    doors = {case.door for case in CATALOGUE}
    assert len(CATALOGUE) + len(RAW_FILES) >= 40
    assert {"entry", "subprocess", "cli", "notebook", "tui"} <= doors
    assert len({case.name for case in CATALOGUE} | set(RAW_FILES)) == len(CATALOGUE) + len(
        RAW_FILES
    )


def test_docs_errors_md_lists_every_row() -> None:
    text = DOCS.read_text()
    missing = [
        name for name in [*(c.name for c in CATALOGUE), *RAW_FILES] if f"`{name}`" not in text
    ]
    assert not missing, f"add these rows to docs/errors.md: {missing}"

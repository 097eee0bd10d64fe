"""The generic entry: one command line for every job, on every platform.

::

    spark-submit scripts/glue/generic_entry.py \\
        --module_name dwh.jobs.filter_images.filter_images_job_factory \\
        --filter_images_job '{"base_path": "...", ...}' \\
        --has_spark true

The scripts under ``scripts/<platform>/`` are thin shims over :func:`main`. It imports
the factory module named by ``--module_name`` (only under the allowed job packages)
and calls its ``main(**kwargs)``.

Exit codes: 0 success; 1 the job failed (its on_failure ran); 2 invalid invocation or
config (no job ran, nothing written); 3 the same output is already being written by
another run; 130 cancelled (SIGINT or SIGTERM). Errors are one line on stderr; ``--debug``
adds the traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.util
import json
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, NoReturn

from dwh.config_file import read_config_file
from dwh.errors import (
    DwhError,
    ExitCode,
    JobModuleError,
    ModuleRefusedError,
    UsageError,
    did_you_mean,
    one_line,
)
from dwh.events import EventName, parse_time
from dwh.redaction import redact_text, secret_values
from dwh.registry import discover_jobs, job_name_of, make_importable
from dwh.run_context import new_run_id
from dwh.services.publishers import check_events_target
from dwh.settings import job_packages

ENTRY_SCRIPT = "scripts/glue/generic_entry.py"
"""The generic entry production runs (``spark-submit``'s argument), from the project root."""

EXIT_OK = ExitCode.OK
EXIT_JOB_FAILED = ExitCode.JOB_FAILED
EXIT_CANCELLED = ExitCode.CANCELLED

_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*", re.ASCII)
_EXAMPLE_MODULE = "dwh.jobs.<job>.<job>_job_factory"


@dataclass
class Invocation:
    """A parsed command line.

    Attributes:
        module_name: The factory module to run.
        job_name: The job name the module implies.
        kwargs: What the factory module's ``main`` receives.
        packages: The packages modules may come from.
        debug: Whether to print tracebacks.
        ignored: Arguments added by the platform that dwh does not use.
    """

    module_name: str
    job_name: str
    kwargs: dict[str, Any]
    packages: tuple[str, ...]
    debug: bool = False
    ignored: list[str] = field(default_factory=list)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(prog="generic_entry.py", allow_abbrev=False, add_help=False)
    parser.add_argument("--module_name")
    parser.add_argument("--has_spark")
    parser.add_argument("--run_id")
    parser.add_argument("--JOB_RUN_ID", dest="glue_run_id")  # AWS Glue adds this one
    parser.add_argument("--events")
    parser.add_argument("--job_config")
    parser.add_argument("--job_packages")
    parser.add_argument("--spark_remote")
    parser.add_argument("--backfill_id")
    parser.add_argument("--debug", action="store_true")
    return parser


def parse_invocation(argv: Sequence[str]) -> Invocation:
    """Parse the entry's arguments, tolerating those that platforms add.

    Glue adds ``--JOB_NAME``, ``--JOB_RUN_ID``, ``--job-bookmark-option``, ``--TempDir``
    and others; Databricks passes its parameter list. Their run id (``--JOB_RUN_ID``,
    or ``--run_id``) becomes the run id; without one a fresh id is made.

    Raises:
        UsageError: An argument is missing or malformed.
    """
    args, rest = _parser().parse_known_args(list(argv))
    if not args.module_name:
        raise UsageError(f"missing --module_name (for example {_EXAMPLE_MODULE})")
    module_name: str = args.module_name.strip()
    job_name = job_name_of(module_name)
    config_flag = f"--{job_name}_job"
    config, ignored = _take_option(rest, config_flag)
    if config is not None and args.job_config is not None:
        raise UsageError(f"give the config once: {config_flag} or --job_config, not both")
    kwargs: dict[str, Any] = {"module_name": module_name}
    raw_config = config if config is not None else args.job_config
    if raw_config is not None:
        kwargs[f"{job_name}_job"] = raw_config
    if args.has_spark is not None:
        kwargs["has_spark"] = args.has_spark
    kwargs["run_id"] = args.run_id or args.glue_run_id or new_run_id()
    if args.events:
        check_events_target(args.events)
        kwargs["events"] = args.events
    if args.spark_remote:
        kwargs["spark_remote"] = args.spark_remote
    if args.backfill_id:
        kwargs["backfill_id"] = args.backfill_id
    if args.debug:
        kwargs["debug"] = True  # publishers that can say more (lineage's stack trace)
    packages = (
        tuple(p.strip().rstrip(".") for p in args.job_packages.split(",") if p.strip())
        if args.job_packages
        else job_packages()
    )
    return Invocation(module_name, job_name, kwargs, packages, args.debug, ignored)


def check_module_name(name: str, packages: Sequence[str]) -> None:
    """Refuse a module name that is malformed or outside the allowed packages.

    Only plain ASCII dotted identifiers are accepted, so paths, ``..`` and unicode
    look-alikes are refused before anything is imported.

    Raises:
        ModuleRefusedError: The name is not allowed.
    """
    if not _MODULE_NAME.fullmatch(name):
        raise ModuleRefusedError(
            f"invalid --module_name {name!r}: expected a dotted module path such as "
            f"{_EXAMPLE_MODULE}"
        )
    if not any(name.startswith(package + ".") for package in packages):
        allowed = ", ".join(f"{p}.*" for p in packages)
        raise ModuleRefusedError(
            f"--module_name {name!r} is outside the allowed packages ({allowed}); "
            "add its package to DWH_JOB_PACKAGES to allow it"
        )


def check_stray_config_flags(invocation: Invocation) -> None:
    """Refuse an ignored argument that looks like a job config (``--<other>_job``).

    Platform arguments are ignored, but a misspelt config flag must not be, or the
    job would run without its config.

    Raises:
        UsageError: Such an argument was given.
    """
    expected = f"--{invocation.job_name}_job"
    for arg in invocation.ignored:
        flag = arg.split("=", 1)[0]
        if not flag.startswith("--") or flag == expected:
            continue
        looks_like_config = flag.endswith(("_job", "_jobs"))
        if looks_like_config or difflib.get_close_matches(flag, [expected], cutoff=0.8):
            raise UsageError(
                f"unexpected argument {flag}: "
                f"module {invocation.module_name} takes its config as {expected}"
            )


def load_job_main(name: str, packages: Sequence[str]) -> Callable[..., Any]:
    """Import an allowed factory module and return its ``main``.

    Raises:
        ModuleRefusedError: The name is not allowed.
        JobModuleError: The module is missing, fails to import, or has no ``main``.
    """
    check_module_name(name, packages)
    make_importable(packages)
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:
        spec = None
    except Exception as exc:
        raise JobModuleError(f"job module {name} failed to import: {one_line(exc)}") from exc
    if spec is None:
        raise JobModuleError(f"no job module named {name}{_suggest(name, packages)}")
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        raise JobModuleError(f"job module {name} failed to import: {one_line(exc)}") from exc
    main = getattr(module, "main", None)
    if not callable(main):
        raise JobModuleError(f"job module {name} has no main(**kwargs) function")
    return main  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one job from the command line and return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    secrets: set[str] = set()
    job = "?"
    run_id = ""
    started = time.monotonic()
    clock: _JobClock | None = None
    previous = signal.signal(signal.SIGTERM, _cancel_on_sigterm)
    try:
        invocation = parse_invocation(argv)
        job, run_id = invocation.job_name, str(invocation.kwargs.get("run_id", ""))
        _read_config_reference(invocation)
        secrets = _config_secrets(invocation.kwargs.get(f"{job}_job"))
        job_main = load_job_main(invocation.module_name, invocation.packages)
        check_stray_config_flags(invocation)
        clock = _JobClock()
        results = job_main(**{"event_publisher": clock, **invocation.kwargs})
    except DwhError as err:
        _print_checks(clock, secrets)
        return _fail(err.exit_code, f"error: {err}", secrets, debug)
    except KeyboardInterrupt:
        return _fail(EXIT_CANCELLED, f"job '{job}' was cancelled", secrets, debug)
    except Exception as exc:
        notes = "".join(f" ({note})" for note in getattr(exc, "__notes__", []))
        return _fail(EXIT_JOB_FAILED, f"job '{job}' failed: {one_line(exc)}{notes}", secrets, debug)
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_checks(clock, secrets)
    seconds = time.monotonic() - started
    summary = redact_text(json.dumps(results, default=str, sort_keys=True), secrets)
    run = f" (run {run_id})" if run_id else ""
    # Job time is what `dwh runs` shows (job_started to the final event); the process
    # wall also counts starting Python, importing the job and starting Spark.
    job_time = "" if clock.seconds is None else f"{clock.seconds:.1f}s job time, "
    print(
        f"dwh: job '{job}' succeeded in {job_time}{seconds:.1f}s process wall{run}: {summary}",
        file=sys.stderr,
    )
    return EXIT_OK


def _print_checks(clock: _JobClock | None, secrets: set[str]) -> None:
    """The run's output checks, one block per audited output, on stderr."""
    if clock is None or not clock.audits:
        return
    from dwh.checks.results import format_table

    for line in format_table(clock.audits):
        print(f"dwh: {redact_text(line, secrets)}", file=sys.stderr)


class _JobClock:
    """Notes the job's own events: its time, as the run store counts it, and its checks."""

    def __init__(self) -> None:
        self.started: str | None = None
        self.seconds: float | None = None
        self.audits: list[dict[str, Any]] = []

    def publish(self, event: Any) -> None:
        if event.event == EventName.CHECKS_FINISHED:
            self.audits.append(dict(event.payload))
        elif event.event == EventName.JOB_STARTED:
            self.started = event.at
        elif event.event == EventName.JOB_SUCCEEDED and self.started is not None:
            self.seconds = (parse_time(event.at) - parse_time(self.started)).total_seconds()


def _take_option(args: list[str], flag: str) -> tuple[str | None, list[str]]:
    """Pull ``flag VALUE`` or ``flag=VALUE`` out of ``args``; return it and the rest."""
    value: str | None = None
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == flag:
            if i + 1 >= len(args):
                raise UsageError(f"{flag} needs a value: the job's JSON config")
            if value is not None:
                raise UsageError(f"{flag} is given twice")
            value = args[i + 1]
            i += 2
            continue
        if arg.startswith(flag + "="):
            if value is not None:
                raise UsageError(f"{flag} is given twice")
            value = arg[len(flag) + 1 :]
        else:
            rest.append(arg)
        i += 1
    return value, rest


def _suggest(name: str, packages: Sequence[str]) -> str:
    modules = [job.module for job in discover_jobs(packages)]
    return did_you_mean(name, modules, quote=False)


def _read_config_reference(invocation: Invocation) -> None:
    """Replace a ``@PATH`` config by the file's bytes: read once, its secrets known here."""
    key = f"{invocation.job_name}_job"
    raw = invocation.kwargs.get(key)
    if isinstance(raw, str) and raw.startswith("@"):
        invocation.kwargs[key] = read_config_file(raw[1:], job=invocation.job_name)


def _config_secrets(raw: Any) -> set[str]:
    try:
        data = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except (ValueError, RecursionError):
        return set()
    return secret_values(data) if isinstance(data, dict) else set()


def _fail(code: int, message: str, secrets: set[str], debug: bool) -> int:
    if debug:
        traceback.print_exc()
    print(f"dwh: {redact_text(message, secrets)}", file=sys.stderr)
    return code


def _cancel_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt("cancelled by SIGTERM")

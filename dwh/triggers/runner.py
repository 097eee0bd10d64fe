"""The local trigger runner: run a job as production does, then the jobs its success starts.

Each job runs in its own process through the generic entry (``dwh.entry``), exactly as
``spark-submit scripts/container/generic_entry.py`` would run it
(:func:`dwh.launch.launch`). Its events come back on a private pipe, never mixed
with Spark's log output; its stderr is passed through. When a run succeeds, every
trigger the map lists for its job fires, in order: the downstream config is built from
the trigger's ``config`` and ``map`` (see :mod:`dwh.triggers.trigger_map`), with
``triggered_by_job`` and ``triggered_by_run_id`` set, so the run store shows the chain
(:meth:`RunStore.children <dwh.runs.store.RunStore.children>`).

From Python (the CLI and the TUI use this)::

    runs = run_with_triggers("transform_images", config, trigger_map="examples/triggers.json")
    [(r.job, r.status, r.run_id, r.triggered_by_run_id) for r in runs]

From a terminal::

    python -m dwh.triggers transform_images --config @examples/configs/transform_images/demo.json \\
        --triggers examples/triggers.json
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dwh.errors import DwhError, ExitCode
from dwh.events import RunStatus
from dwh.launch import JobRun, exit_code_for, launch
from dwh.redaction import redact_config
from dwh.registry import (
    discover_jobs,
    examples_dir,
    find_job,
    job_package_files,
    load_factory,
)
from dwh.run_context import new_run_id
from dwh.settings import triggers_path
from dwh.spark.warm import warm_remote
from dwh.triggers.trigger_map import (
    TRIGGERS_ENV,
    Trigger,
    TriggerMap,
    TriggerMapError,
    downstream_config,
)

if TYPE_CHECKING:
    from dwh.services.protocols import EventPublisher

__all__ = [
    "TRIGGERS_ENV",
    "TRIGGERS_FILE",
    "JobRun",
    "Trigger",
    "TriggerMap",
    "TriggerMapError",
    "load_trigger_map",
    "main",
    "run_with_triggers",
    "trigger_map_files",
]


TRIGGERS_FILE = "triggers.json"
"""The name of a trigger map that is found without a flag (see :func:`trigger_map_files`)."""


def trigger_map_files() -> list[Path]:
    """Return the trigger maps found without a flag, in the order they are merged.

    Each job package's ``triggers.json`` (``dwh/jobs/triggers.json``,
    ``shop/jobs/triggers.json``: the map lives beside the jobs it chains), then the
    project's ``examples/triggers.json``.
    """
    files = job_package_files(TRIGGERS_FILE)
    example = examples_dir() / TRIGGERS_FILE
    if example.is_file() and example.resolve() not in {path.resolve() for path in files}:
        files.append(example)
    return files


def load_trigger_map(source: TriggerMap | str | Path | None = None) -> TriggerMap:
    """Return a trigger map: the one given, the file named, ``$DWH_TRIGGERS``, else found.

    With no source and ``$DWH_TRIGGERS`` unset, every map of :func:`trigger_map_files`
    merged into one (an upstream job's triggers in that order); none when there is none.
    ``load_trigger_map().reachable(job)`` is what a run of ``job`` with its downstream
    jobs (``dwh run --follow``, the TUI) will start after it.

    Raises:
        TriggerMapError: A file is missing or invalid, or the merged maps have a cycle.
    """
    if isinstance(source, TriggerMap):
        return source
    if source is None:
        env = triggers_path()
        if env:
            return TriggerMap.load(env)
        return TriggerMap.merge([TriggerMap.load(path) for path in trigger_map_files()])
    return TriggerMap.load(source)


def run_with_triggers(
    job_name: str,
    config: Mapping[str, Any] | str,
    *,
    follow: bool = True,
    trigger_map: TriggerMap | str | Path | None = None,
    events: EventPublisher | None = None,
    has_spark: bool | None = None,
    run_id: str | None = None,
    env: Mapping[str, str] | None = None,
    stderr: IO[str] | None = None,
    spark_remote: str | None = None,
    on_start: Callable[[int], None] | None = None,
) -> list[JobRun]:
    """Run a job through the generic entry, then, with ``follow``, the jobs it triggers.

    Runs go one at a time, depth first in the map's order: a job's downstream jobs all
    finish before its next sibling starts. A run that does not succeed triggers
    nothing; its siblings still run. A cancelled run (Ctrl-C, SIGTERM) stops the
    whole chain.

    Args:
        job_name: The first job (a name such as ``transform_images``).
        config: Its config, a dict or JSON text.
        follow: Whether to follow the trigger map after the first run.
        trigger_map: A :class:`TriggerMap`, a path to one, or None for
            :func:`load_trigger_map`'s default (``$DWH_TRIGGERS``, else the maps found).
        events: Receives every event of every run live, as it is read.
        has_spark: ``--has_spark`` for the first job; None for the job's default.
        run_id: The first run's id; a fresh one by default.
        env: Extra environment variables for the job processes.
        stderr: Where the jobs' stderr and the runner's own lines go (default stderr).
        spark_remote: A Spark Connect remote for every run of the chain (the warm
            server's ``sc://localhost:PORT``); None runs each job cold. Runs with
            ``--has_spark false`` ignore it.
        on_start: Called with each run's child pid once it runs (the TUI cancels the
            run in progress with SIGTERM to it; the chain then stops).

    Returns:
        Every run, in the order they were started; the first is ``job_name``'s.

    Raises:
        UsageError: The job is unknown, or the trigger map is invalid or names an
            unknown job or config field (checked before anything runs).
    """
    triggers = load_trigger_map(trigger_map) if follow else TriggerMap.empty()
    check_jobs(triggers, job_name)
    out = stderr or sys.stderr
    first = launch(
        job_name,
        config,
        run_id=run_id,
        has_spark=has_spark,
        events=events,
        env=env,
        stderr=out,
        spark_remote=spark_remote,
        on_start=on_start,
    )
    runs = [first]
    pending: list[tuple[JobRun, Trigger]] = _fired(first, triggers)
    while pending:
        upstream, trigger = pending.pop(0)
        child_id = new_run_id()
        try:
            child_config = downstream_config(
                trigger, upstream.result(), job=upstream.job, run_id=upstream.run_id
            )
        except KeyError as exc:
            child = _rejected(trigger, upstream, child_id, f"trigger mapping failed: {exc.args[0]}")
            _say(out, f"{upstream.job} → {trigger.job}: {child.error}")
        else:
            _say(
                out,
                f"trigger: {upstream.job} run {upstream.run_id} succeeded; "
                f"starting {trigger.job} run {child_id}",
            )
            child = launch(
                trigger.job,
                child_config,
                run_id=child_id,
                has_spark=trigger.has_spark,
                events=events,
                env=env,
                stderr=out,
                spark_remote=spark_remote,
                on_start=on_start,
            )
        runs.append(child)
        if child.status == RunStatus.CANCELLED:
            break
        pending = _fired(child, triggers) + pending
    return runs


def check_jobs(triggers: TriggerMap, start: str) -> None:
    """Check that ``start`` and every job it can trigger exist and take the mapped fields.

    Raises:
        UsageError: A job is unknown or a trigger sets a field its job does not have.
    """
    jobs = {job.name: job for job in discover_jobs()}
    find_job(start)
    triggers.check_jobs(jobs, start=start)
    for name in triggers.reachable(start):
        model = load_factory(jobs[name]).config_model
        triggers.check_config_fields(name, model.model_fields)


def _fired(run: JobRun, triggers: TriggerMap) -> list[tuple[JobRun, Trigger]]:
    return [(run, t) for t in triggers.downstream(run.job)] if run.succeeded else []


def _rejected(trigger: Trigger, upstream: JobRun, run_id: str, error: str) -> JobRun:
    return JobRun(
        job=trigger.job,
        run_id=run_id,
        status=RunStatus.REJECTED,
        exit_code=None,
        config=redact_config(dict(trigger.config)),
        error=error,
        triggered_by_job=upstream.job,
        triggered_by_run_id=upstream.run_id,
    )


def _say(out: IO[str], message: str) -> None:
    out.write(f"dwh: {message}\n")
    out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run a job and follow its triggers from the command line; return the exit code.

    Exit codes: 0 when every run succeeded; else that of the first run that did not
    (1 failed, 2 rejected, 130 cancelled); 2 for a bad invocation or trigger map.
    """
    parser = argparse.ArgumentParser(
        prog="python -m dwh.triggers",
        description="Run a job through the generic entry and follow the trigger map.",
    )
    parser.add_argument("job", help="the first job, e.g. transform_images")
    parser.add_argument("--config", default="{}", help="JSON config, or @file.json")
    parser.add_argument(
        "--triggers",
        help=f"trigger map file (default ${TRIGGERS_ENV}, else the maps found)",
    )
    parser.add_argument("--no-follow", action="store_true", help="run only the first job")
    parser.add_argument("--has_spark", choices=("true", "false"), help="for the first job")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="run every job on the local Spark server (started if none runs)",
    )
    args = parser.parse_args(argv)
    try:
        spark_remote = warm_remote(lambda message: _say(sys.stderr, message)) if args.warm else None
        runs = run_with_triggers(
            args.job,
            args.config,
            follow=not args.no_follow,
            trigger_map=args.triggers,
            has_spark=None if args.has_spark is None else args.has_spark == "true",
            spark_remote=spark_remote,
        )
    except DwhError as err:
        print(f"dwh: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("dwh: cancelled", file=sys.stderr)
        return ExitCode.CANCELLED
    for run in runs:
        parent = f" (triggered by {run.triggered_by_job} run {run.triggered_by_run_id})"
        lineage = parent if run.triggered_by_run_id else ""
        print(f"dwh: chain: {run.job} run {run.run_id} {run.status}{lineage}", file=sys.stderr)
    failed = next((r for r in runs if not r.succeeded), None)
    return ExitCode.OK if failed is None else exit_code_for(failed.status)


if __name__ == "__main__":
    sys.exit(main())

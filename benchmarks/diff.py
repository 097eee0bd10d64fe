"""(9) What changed: ``dwh diff`` of two 1M-row versions, and the after-run summary's cost.

- ``dwh diff OUTPUT --key image_id --json``, a cold process each time, of an output
  committed twice through the atomic commit: 1M rows (the ``transform_images`` output
  schema, four part files) and then the same rows with 1% of the images 1 pixel wider.
  The process reads both versions whole with pyarrow and matches them by key.
- The after-run summary (:func:`dwh.diff.summary.run_summaries`, what ``dwh run``, the
  TUI and notebooks print after a run) of a 100k-row output with the same 1% change,
  measured inside a probe process the way ``dwh run --warm`` pays it: the job's factory,
  pyarrow and ``pyarrow.compute`` already imported (the CLI loaded the factory to
  validate the config; pyspark's Connect client imports both), the clock around the
  call only (``pyarrow.parquet``'s import is inside it). The job is ``transform_images``,
  whose ``unique("image_id")`` check on ``output_path`` is the key. The same probe
  reports the cost with those imports counted, as a note.

Usage of the probe (what :func:`run` starts)::

    DWH_HOME=... python -m benchmarks.diff summary-probe RUN_ID
"""

from __future__ import annotations

import importlib
import json
import resource
import shutil
import sys
import time
from pathlib import Path

from benchmarks.common import Settings, bench_env, run_process
from benchmarks.harness import Row, Summary, column, repeat, seconds_row
from benchmarks.preview import write_output

DIFF_TARGET_SECONDS = 3.0
SUMMARY_TARGET_SECONDS = 0.3
DIFF_ROWS = 1_000_000
SUMMARY_ROWS = 100_000
CHANGED_EVERY = 100
"""1% of the rows change between the two versions."""
RUN_IDS = ("20261125T170000Z-bench0", "20261125T183000Z-bench1")
DWH = [sys.executable, str(Path(sys.executable).with_name("dwh"))]


def commit_two_versions(target: Path, rows: int) -> None:
    """Commit ``rows`` images, then the same with 1% widened, as a loader commits them."""
    from dwh.services.atomic_commit import commit, stage_path

    target.parent.mkdir(parents=True, exist_ok=True)
    for widen in (0, CHANGED_EVERY):
        staged = stage_path(target)
        write_output(staged, rows, widen_every=widen)
        commit(staged, target)


def record_runs(home: Path, output: Path) -> None:
    """Record the two runs that wrote the versions, oldest first."""
    from dwh.runs.store import RunStore
    from dwh.testing.outputs import record_succeeded_run

    with RunStore(home / "runs.db") as store:
        for minute, run_id in zip(("2026-11-25T17:00", "2026-11-25T18:30"), RUN_IDS, strict=True):
            outputs = {"output_path": str(output)}
            record_succeeded_run(store, run_id, "transform_images", outputs, minute=minute)


def run(settings: Settings) -> list[Row]:
    """Two rows: the cold ``dwh diff`` (<= 3 s) and the after-run summary (<= 0.3 s)."""
    base = settings.workdir / "diff"
    big, small = base / "big" / "images", base / "small" / "images"
    commit_two_versions(big, DIFF_ROWS)
    commit_two_versions(small, SUMMARY_ROWS)
    big_home, small_home = base / "big-home", base / "small-home"
    record_runs(big_home, big)
    record_runs(small_home, small)
    times = max(3, settings.light_pairs // 2)

    def cold_diff() -> dict[str, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = [*DWH, "diff", str(big), "--key", "image_id", "--limit", "5", "--json"]
        result = run_process(command, env=bench_env(big_home))
        shown = json.loads(result.stdout)
        changed = shown["rows"]["changed"]
        if changed != DIFF_ROWS // CHANGED_EVERY or shown["rows"]["both"] != DIFF_ROWS:
            raise RuntimeError(f"dwh diff found {changed} changed rows")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"wall": result.wall, "cpu": cpu, "peak_mb": result.rss_mb}

    def summary() -> dict[str, float]:
        command = [sys.executable, "-m", "benchmarks.diff", "summary-probe", RUN_IDS[1]]
        result = run_process(command, env=bench_env(small_home))
        return {k: float(v) for k, v in json.loads(result.stdout.splitlines()[-1]).items()}

    diffs = repeat(cold_diff, times=times)
    summaries = repeat(summary, times=times)
    shutil.rmtree(base, ignore_errors=True)
    diff_row = seconds_row(
        "dwh diff: two 1M-row Parquet versions, 1% changed, by key, cold process",
        "dwh diff --key image_id --json",
        column(diffs),
        diffs,
        limit=DIFF_TARGET_SECONDS,
        note=f"the whole process; CPU (user+sys) {Summary.of(column(diffs, 'cpu')).text()}; "
        f"peak RSS {Summary.of(column(diffs, 'peak_mb')).text('MB', 0)}",
    )
    imported = Summary.of(column(summaries, "with_import"))
    summary_row = seconds_row(
        "after-run diff summary: 100k-row output, 1% changed (added to a run)",
        "run_summaries(run_id)",
        column(summaries),
        summaries,
        limit=SUMMARY_TARGET_SECONDS,
        note="the job factory, pyarrow and pyarrow.compute already imported, as at the end "
        "of dwh run --warm; keyed on image_id (the job's unique check); "
        "with those imports counted too: "
        f"{imported.text()}",
    )
    return [diff_row, summary_row]


def _summary_probe(run_id: str) -> dict[str, float]:
    started = time.perf_counter()
    # What `dwh run --warm` has loaded when the run ends: the job's factory (the CLI
    # validated the config with it) and pyarrow with pyarrow.compute (pyspark's Connect
    # client imports both). pyarrow.parquet is not: it is inside the clock.
    from dwh.diff.summary import run_summaries
    from dwh.registry import find_job, load_factory

    importlib.import_module("pyarrow.compute")
    load_factory(find_job("transform_images"))
    imported = time.perf_counter()
    [found] = run_summaries(run_id)
    ended = time.perf_counter()
    if found.diff is None or found.diff.changed_rows != SUMMARY_ROWS // CHANGED_EVERY:
        raise RuntimeError(f"unexpected summary: {found.line}")
    return {"wall": ended - imported, "with_import": ended - started}


def main() -> int:
    """``python -m benchmarks.diff summary-probe RUN_ID``: print the summary's JSON line."""
    if len(sys.argv) != 3 or sys.argv[1] != "summary-probe":
        print("usage: python -m benchmarks.diff summary-probe RUN_ID", file=sys.stderr)
        return 2
    print(json.dumps(_summary_probe(sys.argv[2])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

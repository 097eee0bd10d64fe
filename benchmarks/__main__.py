"""``python -m benchmarks [--quick] [--skip-full-tests] [--only NAME ...]``: run and report.

Prints the markdown table and writes ``benchmarks/results/latest.json`` (rewritten
after each measurement, so an interrupted run keeps what it measured).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import Settings
from benchmarks.harness import Row, load_average, machine_facts, markdown_table, write_results

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
MEASURES = (
    "light",
    "lineage",
    "registry",
    "preview",
    "diff",
    "run_log",
    "deploy",
    "overhead",
    "jobs",
    "audit",
    "warm",
    "warm_loop",
    "warm_soak",
    "tui_warm",
    "backfill",
    "scale",
    "tests",
)


def settings_for(quick: bool, workdir: Path, full_tests: bool) -> Settings:
    """Sizes and repetitions: full by default, smaller under ``--quick``."""
    if quick:
        return Settings(
            quick=True,
            pairs=2,
            rows=50_000,
            warm_rows=100_000,
            scale_rows=(50_000, 200_000),
            scale_pairs=1,
            registry_jobs=500,
            workdir=workdir,
            full_tests=False,
            light_pairs=5,
            overhead_pairs=2,
        )
    return Settings(
        quick=False,
        pairs=5,
        rows=1_000_000,
        warm_rows=100_000,
        scale_rows=(1_000_000, 10_000_000),
        scale_pairs=3,
        registry_jobs=500,
        workdir=workdir,
        full_tests=full_tests,
        light_pairs=10,
    )


_PROCESS_MEASURES: list[tuple[str, str, str, str]] = [
    ("light", "light_paths", "light paths", "light"),
    ("lineage", "lineage_cost", "lineage", "lineage"),
    ("registry", "registry_scale", "registry", "registry"),
    ("preview", "preview", "preview", "preview"),
    ("diff", "diff", "diff", "diff"),
    ("run_log", "run_log", "run log", "run log"),
    ("deploy", "deploy_parse", "DAG parse", "generated DAG parse"),
    ("warm_loop", "warm_loop", "warm loop", "warm loop"),
    ("warm_soak", "warm_soak", "warm soak", "warm soak"),
    ("tui_warm", "tui_warm", "TUI warm", "TUI warm"),
]
"""Measures that start their own processes: (--only name, module, error name, label)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected measurements, print the table, write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller sizes, fewer pairs, no test tiers (< 5 min)",
    )
    parser.add_argument(
        "--skip-full-tests", action="store_true", help="do not run the full make test"
    )
    parser.add_argument(
        "--full-tests-seconds", type=float, help="record this earlier full-tier time"
    )
    parser.add_argument("--only", nargs="+", choices=MEASURES, help="run only these measurements")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    # --quick leaves out the test tiers (the no-JVM tier alone takes minutes) unless
    # they are asked for by name.
    selected = set(args.only or (m for m in MEASURES if not (args.quick and m == "tests")))
    started = time.perf_counter()
    facts = machine_facts()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dwh-bench-") as tmp:
        workdir = Path(tmp)
        settings = settings_for(args.quick, workdir, not args.skip_full_tests)
        os.environ["DWH_HOME"] = str(workdir / "home")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        record = {
            "mode": "quick" if args.quick else "full",
            "pairs": settings.pairs,
            "overhead_pairs": settings.overhead_pairs,
            "light_pairs": settings.light_pairs,
            "rows": settings.rows,
            "warm_rows": settings.warm_rows,
            "scale_rows": list(settings.scale_rows),
            "scale_pairs": settings.scale_pairs,
            "registry_jobs": settings.registry_jobs,
            "measures": sorted(selected),
            "data": "generated with Spark by benchmarks/datagen.py (transform_images schema)",
        }

        def done(new: list[Row], name: str) -> None:
            rows.extend(new)
            facts["load_average_end"] = list(load_average())
            facts["seconds"] = round(time.perf_counter() - started, 1)
            write_results(args.out, rows, facts, record)
            print(
                f"[bench] {name} done at {facts['seconds']} s, load {load_average()[0]:.2f}",
                file=sys.stderr,
            )

        for key, module, name, label in _PROCESS_MEASURES:
            if key in selected:
                measure = importlib.import_module(f"benchmarks.{module}")
                done(_guard(measure.run, settings, name=name), label)
        if selected & {"overhead", "jobs", "audit", "warm", "backfill", "scale"}:
            for name, new in _spark_measures(settings, selected):
                done(new, name)
        if "tests" in selected:
            from benchmarks import test_tiers

            done(
                _guard(test_tiers.run, settings, args.full_tests_seconds, name="tests"),
                "test tiers",
            )
    print(markdown_table(rows))
    print(
        f"\n{facts['date']}, {facts['cpu_count']} CPUs, {facts['memory_mb']} MB, "
        f"load {facts['load_average_start'][0]:.2f} -> {facts['load_average_end'][0]:.2f}, "
        f"{facts['seconds']} s; written to {args.out}"
    )
    return 0


def _spark_measures(settings: Settings, selected: set[str]) -> Iterator[tuple[str, list[Row]]]:
    """The measurements that need data, generated here in one local session."""
    from benchmarks import data, overhead, scale, spark_jobs, warm_rerun
    from dwh.spark.session import get_spark_session

    spark = get_spark_session("dwh-bench")
    main_data = data.data_set(spark, settings.workdir, settings.rows)
    if "overhead" in selected:
        yield "framework overhead", _guard(overhead.run, settings, main_data, name="overhead")
    if "jobs" in selected:
        yield "Spark jobs", _guard(spark_jobs.run, settings, main_data, spark, name="jobs")
    if "audit" in selected:
        from benchmarks import audit_cost

        yield "audit", _guard(audit_cost.run, settings, main_data, spark, name="audit")
    if "warm" in selected:
        warm_data = data.data_set(spark, settings.workdir, settings.warm_rows)
        yield "warm re-run", _guard(warm_rerun.run, settings, warm_data, spark, name="warm")
    if "backfill" in selected:
        from benchmarks import backfill

        bf_data = data.data_set(spark, settings.workdir, settings.warm_rows)
        yield "backfill", _guard(backfill.run, settings, bf_data, name="backfill")
    if "scale" in selected:
        small = data.data_set(spark, settings.workdir, settings.scale_rows[0])
        large = data.data_set(spark, settings.workdir, settings.scale_rows[1])
        yield "scale", _guard(scale.run, settings, small, large, name="scale")


def _guard(measure: Callable[..., list[Row]], *args: Any, name: str) -> list[Row]:
    """Run one measurement; a failure becomes a row saying so, and the others still run."""
    try:
        return measure(*args)
    except Exception as exc:
        print(f"[bench] {name} failed: {exc}", file=sys.stderr)
        text = " ".join(str(exc).split())[:600]
        return [Row(f"{name}: FAILED", "", type(exc).__name__, "no result", "", False, text)]


if __name__ == "__main__":
    raise SystemExit(main())

"""(4) and (5) The registry with 500 job modules, and the TUI: first paint, event latency.

The generated jobs are real factory modules (each wires the noop job with its own
name), in a package ``benchjobs`` added with ``DWH_JOB_PACKAGES``: what a big team's
repository looks like to ``dwh list`` and to the TUI's job tree.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from benchmarks.common import Settings, bench_env, run_process
from benchmarks.harness import Row, Summary, compare, interleave, repeat
from benchmarks.light_paths import DWH

LIST_LIMIT = 0.5
PAINT_LIMIT = 1.0
LATENCY_LIMIT_MS = 100.0

FACTORY = '''"""Generated job {i} for the registry benchmark: noop under another name."""

from __future__ import annotations

from typing import Any

from dwh.jobs.noop.noop_job_factory import NoopJobFactory


class Job{i:03d}Factory(NoopJobFactory):
    """Job {i}."""

    job_name = "job_{i:03d}"


def main(**kwargs: Any) -> Any:
    """Run job {i}."""
    return Job{i:03d}Factory(**kwargs).run(**kwargs)
'''


def generate_jobs(root: Path, count: int) -> Path:
    """Write ``count`` job packages under ``root/benchjobs``; return ``root``."""
    package = root / "benchjobs"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""Generated jobs."""\n')
    for i in range(count):
        job = package / f"job_{i:03d}"
        job.mkdir(exist_ok=True)
        (job / "__init__.py").write_text("")
        (job / f"job_{i:03d}_job_factory.py").write_text(FACTORY.format(i=i))
    return root


def _envs(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    base = bench_env(settings.workdir / "home")
    base["DWH_JOB_PACKAGES"] = "dwh.jobs"
    root = generate_jobs(settings.workdir / "jobs", settings.registry_jobs)
    many = dict(base)
    many["DWH_JOB_PACKAGES"] = "dwh.jobs,benchjobs"
    many["PYTHONPATH"] = os.pathsep.join([str(root), base["PYTHONPATH"]])
    return base, many


def _paint(env: dict[str, str]) -> dict[str, float]:
    env = dict(env, BENCH_T0=repr(time.time()))
    out = run_process([sys.executable, "-m", "benchmarks.tui_probe", "paint"], env=env)
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def run(settings: Settings) -> list[Row]:
    """``dwh list`` and TUI first paint, 3 jobs against 3 + N; then event latency."""
    few, many = _envs(settings)
    n = settings.registry_jobs
    listed = len(json.loads(run_process([*DWH, "list", "--json"], env=many).stdout))
    rows = []
    for flags in ([], ["--json"]):
        command = [*DWH, "list", *flags]
        listing = interleave(
            lambda command=command: run_process(command, env=few).wall,  # type: ignore[misc]
            lambda command=command: run_process(command, env=many).wall,  # type: ignore[misc]
            pairs=settings.light_pairs,
        )
        row = compare(
            f"registry: {' '.join(['dwh list', *flags])}, {n} jobs",
            ("3 jobs", f"{listed} jobs"),
            listing,
            target="<= 0.5 s",
            note="the target is on B's median wall, interpreter start included",
        )
        row.met = Summary.of([s["wall"] for s in listing.b]).median <= LIST_LIMIT
        rows.append(row)

    painting = interleave(lambda: _paint(few), lambda: _paint(many), pairs=settings.light_pairs)
    row = compare(
        "TUI first paint (headless), job tree populated",
        ("3 jobs", f"{n} more jobs"),
        painting,
        target="<= 1.0 s; tree of 500 <= 0.5 s",
        note="from the parent's clock before the process starts to a populated tree; "
        "the tree's cost is B minus A",
    )
    a_median = Summary.of([s["wall"] for s in painting.a]).median
    p_median = Summary.of([s["wall"] for s in painting.b]).median
    row.headline += f"; B-A {p_median - a_median:+.3f} s"
    row.met = a_median <= PAINT_LIMIT and p_median - a_median <= LIST_LIMIT
    rows.append(row)

    runs = repeat(lambda: _latency(few), times=max(3, settings.pairs), warmup=1)
    latencies = [ms for run in runs for key, ms in run.items() if key.startswith("e")]
    summary = Summary.of(latencies)
    rows.append(
        Row(
            measure="TUI event latency (job writes event -> lifecycle log)",
            a="",
            b=f"{len(runs)} noop runs, {len(latencies)} events",
            headline=f"median {summary.text('ms', 1)}",
            target="<= 100 ms median",
            met=summary.median <= LATENCY_LIMIT_MS,
            note="`at` has millisecond resolution; measured where the console appends the line",
            data={"latency_ms": latencies},
        )
    )
    return rows


def _latency(env: dict[str, str]) -> dict[str, float]:
    out = run_process([sys.executable, "-m", "benchmarks.tui_probe", "latency"], env=env)
    values = json.loads(out.stdout.splitlines()[-1])["latency_ms"]
    return {f"e{i}": v for i, v in enumerate(values)} | {"wall": out.wall}

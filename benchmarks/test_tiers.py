"""(8) Wall time of the test tiers: the no-JVM tier and the full ``make test``.

One run each (a test suite is not something to run five times in a benchmark). The
full tier takes minutes; ``--skip-full-tests`` leaves it out, and
``--full-tests-seconds S`` records a figure from an earlier run instead, marked so.
"""

from __future__ import annotations

import sys

from benchmarks.common import REPO, Settings, bench_env, run_process
from benchmarks.harness import Row


def run(settings: Settings, recorded_full: float | None) -> list[Row]:
    """Time the tiers; the environment is the user's, not the benchmark's DWH_HOME."""
    env = bench_env(settings.workdir / "home")
    fast = run_process(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not spark and not cluster",
        ],
        env=env,
        cwd=REPO,
    )
    summary = fast.stdout.strip().splitlines()[-1] if fast.stdout.strip() else ""
    rows = [
        Row(
            measure="tests: no-JVM tier (pytest -m 'not spark and not cluster')",
            a="",
            b=f"{fast.wall:.1f} s",
            headline=f"{fast.wall:.1f} s",
            note=summary,
            data={"wall": fast.wall, "summary": summary},
        )
    ]
    if settings.full_tests:
        full = run_process(["make", "test"], env=env, cwd=REPO)
        text = full.stdout.strip().splitlines()[-1] if full.stdout.strip() else ""
        rows.append(
            Row(
                measure="tests: full make test",
                a="",
                b=f"{full.wall:.1f} s",
                headline=f"{full.wall:.1f} s",
                note=text,
                data={"wall": full.wall, "summary": text},
            )
        )
    elif recorded_full is not None:
        rows.append(
            Row(
                measure="tests: full make test",
                a="",
                b=f"{recorded_full:.1f} s (recorded from an earlier run, not measured now)",
                headline=f"{recorded_full:.1f} s",
                note="given with --full-tests-seconds",
                data={"wall": recorded_full, "recorded": True},
            )
        )
    return rows

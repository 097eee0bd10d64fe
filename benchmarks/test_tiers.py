"""(8) Wall time of the test tiers: the no-JVM tier and the full ``make test``.

One run (a test suite is not something to run five times in a benchmark). ``make
test`` runs the no-JVM tier first and then the Spark tier as two pytest sessions, so
one ``make test`` gives all three figures: its own wall, and each tier's session time
as pytest reports it. ``--skip-full-tests`` runs the no-JVM tier alone instead, and
``--full-tests-seconds S`` records a full figure from an earlier run, marked so.
"""

from __future__ import annotations

import os
import re
import sys

from benchmarks.common import REPO, Settings, run_process
from benchmarks.harness import Row

FAST_MARKERS = "not spark and not cluster"
_SUMMARY = re.compile(r"^=*\s*(?P<text>\d+ passed.* in (?P<seconds>[\d.]+)s.*?)\s*=*$")


def pytest_summaries(output: str) -> list[tuple[str, float]]:
    """Each pytest session's closing line in ``output`` and its seconds, in order."""
    found = []
    for line in output.splitlines():
        match = _SUMMARY.match(line.strip())
        if match:
            found.append((match["text"], float(match["seconds"])))
    return found


def run(settings: Settings, recorded_full: float | None) -> list[Row]:
    """Time the tiers in the user's environment, as ``make test`` runs for them.

    Not :func:`bench_env`: its ``PYTHONPATH`` and private ``DWH_HOME`` are for the
    probes, and the suite sets up its own (the cluster tests need a Python that cannot
    see the repository).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("DWH_HOME", "PYTHONPATH")}
    if settings.full_tests:
        full = run_process(["make", "test"], env=env, cwd=REPO)
        sessions = pytest_summaries(full.stdout)
        if len(sessions) != 2:
            raise RuntimeError(f"expected two pytest sessions in make test, found {sessions}")
        (fast_text, fast_seconds), (spark_text, spark_seconds) = sessions
        return [
            _row(f"tests: no-JVM tier (pytest -m '{FAST_MARKERS}')", fast_seconds, fast_text),
            _row("tests: Spark tier (pytest -m 'spark or cluster')", spark_seconds, spark_text),
            _row("tests: full make test (dwh check + both tiers)", full.wall, "make's wall"),
        ]
    fast = run_process(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", FAST_MARKERS],
        env=env,
        cwd=REPO,
    )
    text = next(iter(pytest_summaries(fast.stdout)), ("", 0.0))[0]
    rows = [_row(f"tests: no-JVM tier (pytest -m '{FAST_MARKERS}')", fast.wall, text)]
    if recorded_full is not None:
        rows.append(
            _row(
                "tests: full make test",
                recorded_full,
                "recorded from an earlier run with --full-tests-seconds, not measured now",
            )
        )
        rows[-1].data["recorded"] = True
    return rows


def _row(measure: str, seconds: float, note: str) -> Row:
    return Row(
        measure=measure,
        a="",
        b=f"{seconds:.1f} s",
        headline=f"{seconds:.1f} s ({seconds / 60:.1f} min)",
        note=note,
        data={"wall": seconds, "summary": note},
    )

"""(lineage) What OpenLineage costs a run: the noop job with and without the file transport.

Both sides run the ``has_spark false`` noop job through the generic entry as fresh
processes, interleaved. With lineage, the job imports openlineage-python and writes
two events to a file; without, the client is never imported. The difference is the
whole price of turning lineage on for a run (a Spark job pays the same, once).
"""

from __future__ import annotations

from benchmarks.common import NOOP_RUN, Settings, bench_env, run_process
from benchmarks.harness import Row, difference, interleave

LIMIT = 1.0
"""Seconds lineage may add to a run: the client's import plus two events to a file."""


def run(settings: Settings) -> list[Row]:
    """One row: the noop run with the file transport minus the noop run without lineage."""
    env = bench_env(settings.workdir / "home")
    plain = {k: v for k, v in env.items() if not k.startswith("OPENLINEAGE")}
    sink = settings.workdir / "lineage.jsonl"
    with_lineage = {
        **plain,
        "OPENLINEAGE__TRANSPORT__TYPE": "file",
        "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH": str(sink),
        "OPENLINEAGE__TRANSPORT__APPEND": "true",
    }
    pairs = interleave(
        lambda: run_process(NOOP_RUN, env=plain).wall,
        lambda: run_process(NOOP_RUN, env=with_lineage).wall,
        pairs=settings.light_pairs,
        warmup=1,
    )
    sent = sink.read_text().count("\n") if sink.exists() else 0
    row = difference(
        "lineage: noop run with the OpenLineage file transport",
        ("no lineage", "file transport"),
        pairs,
        target=f"<= +{LIMIT} s",
        limit=LIMIT,
        note=f"{sent} events written over {settings.light_pairs + 1} runs (2 per run expected)",
    )
    row.met = bool(row.met) and sent == 2 * (settings.light_pairs + 1)
    return [row]

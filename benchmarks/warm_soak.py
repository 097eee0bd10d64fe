"""(9) The warm soak: a working day's warm runs on one server, and what they leave behind.

``python -m benchmarks --only warm_soak`` (100 rounds) or ``--quick`` (20 rounds), or
``python -m benchmarks.warm_soak --rounds N`` for the table alone. A private local
Spark Connect server (its own discovery file and port) serves every run and is stopped
by pid at the end. Each round is one warm ``transform_images`` on 20,000 raw lines and
one warm ``filter_images`` on that job's output, each a whole ``dwh run --warm``
process; after each run (once its spare session is ready, untimed, as while one edits
the code) the server's tree is counted and measured: the processes below the JVM, its
Python workers, the whole tree's PSS, and (with the JDK's ``jstat``) the JVM's heap,
committed and used, its metaspace and its thread count; at the end, the disk its
block manager holds (shuffle files, spilled blocks). Targets (issue 24):

- the processes below the JVM at most the cores plus 2 after any run;
- the tree's PSS after the last round within 1.2x of after round 10;
- the median wall time of the last 10 rounds within 1.1x of the first 10, per job;
- no ``ERROR`` line in the server's log.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import Settings, run_process
from benchmarks.harness import Row, python
from benchmarks.warm_loop import (
    TRANSFORM_LINES,
    generate_raw,
    private_server,
    server_env,
    wait_for_spare,
)
from dwh.spark.workers import server_tree

FULL_ROUNDS = 100
QUICK_ROUNDS = 20
WINDOW = 10
MEMORY_LIMIT = 1.2
WALL_LIMIT = 1.1
JOBS = ("transform_images", "filter_images")


def run(settings: Settings, rounds: int | None = None) -> list[Row]:
    """Soak a private server with ``rounds`` rounds; stop it whatever happens."""
    rounds = rounds or (QUICK_ROUNDS if settings.quick else FULL_ROUNDS)
    root = settings.workdir / "warm-soak"
    env = server_env(root)
    raw = generate_raw(root, TRANSFORM_LINES, env)
    samples: list[dict[str, Any]] = []
    with private_server(env) as started:
        pid = int(started["pid"])
        log = _server_log(env)
        log_start = log.stat().st_size if log else 0
        for number in range(1, rounds + 1):
            out = root / "out" / str(number)
            for job in JOBS:
                wall = _one(env, job, raw, out)
                wait_for_spare(env)
                samples.append({"round": number, "job": job, "wall_s": wall, **_tree(pid)})
                print(_line(samples[-1]), file=sys.stderr, flush=True)
            shutil.rmtree(out, ignore_errors=True)
        errors = _errors(log, log_start)
        disk = _block_manager_mb(log)
    return _rows(samples, rounds, errors, disk)


def _one(env: dict[str, str], job: str, raw: Path, out: Path) -> float:
    if job == "transform_images":
        config: dict[str, Any] = {"raw_path": str(raw), "output_path": str(out / "images"),
                                  "rejects_path": str(out / "rejects")}  # fmt: skip
    else:
        config = {
            "base_path": str(out / "filtered"),
            "timezone": "UTC",
            "transform_output_path": str(out / "images"),
            "run_date": "2026-11-25",
        }
    command = [str(Path(python()).with_name("dwh")), "run", job, "--config", json.dumps(config)]
    return run_process([*command, "--warm"], env=env).wall


def _tree(pid: int) -> dict[str, Any]:
    tree = server_tree(pid)
    mib = 2**20
    return {
        "processes": tree.processes,
        "python_workers": tree.workers,
        "tree_pss_mb": round(tree.total.pss / mib, 1) if tree.total else None,
        "jvm_pss_mb": round(tree.jvm.pss / mib, 1) if tree.jvm else None,
        **_jvm(pid),
    }


def _jvm(pid: int) -> dict[str, Any]:
    """The JVM's heap (committed, used), metaspace and threads; {} without ``jstat``."""
    figures: dict[str, Any] = {}
    with contextlib.suppress(OSError):
        threads = re.search(r"^Threads:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
        if threads:
            figures["jvm_threads"] = int(threads[1])
    jstat = shutil.which("jstat")
    if jstat is None:
        return figures
    with contextlib.suppress(OSError, subprocess.SubprocessError, ValueError, LookupError):
        lines = subprocess.run(
            [jstat, "-gc", str(pid)], capture_output=True, text=True, timeout=20
        ).stdout.split("\n")
        gc = dict(zip(lines[0].split(), (float(v) / 1024 for v in lines[1].split()), strict=True))
        young_old = ("S0", "S1", "E", "O")
        figures["heap_committed_mb"] = round(sum(gc[f"{k}C"] for k in young_old))
        figures["heap_used_mb"] = round(sum(gc[f"{k}U"] for k in young_old))
        figures["metaspace_mb"] = round(gc["MU"])
    return figures


def _block_manager_mb(log: Path | None) -> float | None:
    """The disk the server's block manager holds now (its folder is named in the log)."""
    if log is None:
        return None
    found = re.findall(r"Created local directory at (\S+)", log.read_text("utf-8", "replace"))
    if not found:
        return None
    files = [f for f in Path(found[-1]).rglob("*") if f.is_file()]
    return round(sum(f.stat().st_size for f in files) / 2**20, 1)


def _line(sample: dict[str, Any]) -> str:
    return (
        f"[soak] round {sample['round']:>3} {sample['job']:<16} {sample['wall_s']:6.2f} s  "
        f"{sample['processes']} processes ({sample['python_workers']} Python)  "
        f"tree {sample['tree_pss_mb']} MiB PSS, JVM {sample['jvm_pss_mb']} MiB "
        f"(heap {sample.get('heap_used_mb')}/{sample.get('heap_committed_mb')} MiB, "
        f"metaspace {sample.get('metaspace_mb')} MiB, {sample.get('jvm_threads')} threads)"
    )


def _server_log(env: dict[str, str]) -> Path | None:
    logs = sorted((Path(env["SPARK_LOCAL_CONNECT_DISCOVERY"]).parent / "logs").glob("*.out"))
    return logs[-1] if logs else None


def _errors(log: Path | None, start: int) -> list[str]:
    if log is None:
        return ["no server log"]
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
    return [line for line in text.splitlines() if " ERROR " in line]


def _rows(
    samples: list[dict[str, Any]], rounds: int, errors: list[str], disk: float | None = None
) -> list[Row]:
    limit = (os.cpu_count() or 1) + 2
    most = max(sample["processes"] for sample in samples)
    window = min(WINDOW, max(rounds // 2, 1))
    at = {s["round"]: s for s in samples if s["job"] == JOBS[-1]}
    reference = at[window]["tree_pss_mb"]
    last = at[rounds]["tree_pss_mb"]
    growth = last / reference if reference else float("nan")
    shown = (
        ("JVM PSS MiB", "jvm_pss_mb"),
        ("heap committed MiB", "heap_committed_mb"),
        ("metaspace MiB", "metaspace_mb"),
        ("JVM threads", "jvm_threads"),
    )
    jvm_parts = ", ".join(
        f"{label} {at[window].get(key)} to {at[rounds].get(key)}"
        for label, key in shown
        if key in at[rounds]
    )
    rows = [
        Row(
            f"warm soak: processes below the server JVM, {rounds} rounds",
            "",
            f"most after any run: {most} ({max(s['python_workers'] for s in samples)} Python)",
            f"{most}",
            target=f"<= cores + 2 = {limit}",
            met=most <= limit,
            note="a round: one warm transform_images (20,000 lines), one filter_images",
            data={"samples": samples},
        ),
        Row(
            "warm soak: the server tree's memory (PSS)",
            f"after round {window}: {reference:.0f} MiB",
            f"after round {rounds}: {last:.0f} MiB",
            f"x{growth:.2f}",
            target=f"<= x{MEMORY_LIMIT}",
            met=growth <= MEMORY_LIMIT,
            note=f"JVM and Python workers, with the spare session ready; {jvm_parts}; "
            f"block manager disk after the last round: {disk} MiB",
        ),
    ]
    for job in JOBS:
        walls = [s["wall_s"] for s in samples if s["job"] == job]
        first = statistics.median(walls[:window])
        end = statistics.median(walls[-window:])
        rows.append(
            Row(
                f"warm soak: {job} wall time, median of the first and last {window} rounds",
                f"first: {first:.2f} s",
                f"last: {end:.2f} s",
                f"x{end / first:.2f}",
                target=f"<= x{WALL_LIMIT}",
                met=end / first <= WALL_LIMIT,
                note="whole `dwh run --warm` processes",
            )
        )
    rows.append(
        Row(
            "warm soak: ERROR lines in the server log",
            "",
            f"{len(errors)}",
            f"{len(errors)}",
            target="0",
            met=not errors,
            note="; ".join(errors[:2])[:300],
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Soak on its own and print the per-run figures and the targets."""
    import tempfile

    from benchmarks.__main__ import settings_for
    from benchmarks.harness import markdown_table

    parser = argparse.ArgumentParser(prog="python -m benchmarks.warm_soak")
    parser.add_argument("--rounds", type=int, default=QUICK_ROUNDS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dwh-soak-") as tmp:
        settings = settings_for(True, Path(tmp), False)
        os.environ["DWH_HOME"] = str(Path(tmp) / "home")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        rows = run(settings, args.rounds)
    print(markdown_table(rows))
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

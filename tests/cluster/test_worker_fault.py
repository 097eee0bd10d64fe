"""Workers die mid-job on a real standalone cluster: Spark reschedules, the job succeeds.

A master and three 1-core workers; ``transform_images`` runs through ``spark-submit``
(the ``--py-files`` zip, a Python that cannot see the repository, as in
:mod:`test_cluster_pipeline`) with two 1-core executors, the input split into many
small tasks. Its two stages are the two writes: stage 0 parses the lines (cached) and
writes the rejects, stage 1 writes the images from the cache.

Two machines are lost, one per stage. As soon as a worker's executor runs a stage-0
task, the test SIGKILLs that worker's process group and then any of its executors still
alive, as losing the machine would; Spark reruns the lost tasks, and the master starts
a replacement executor on the standby worker. Then, as soon as an executor that ran
stage-0 tasks runs a stage-1 task, its worker goes the same way, taking the parsed
partitions it cached with it, which Spark recomputes from the raw lines. The job exits
0; both outputs equal the same rules applied in plain Python, row for row; the counts
(gathered by observations on the writes) are exact despite the recomputation; the
master shows both workers dead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from dwh.jobs.transform_images.image_record import (
    OUTPUT_COLUMNS,
    REJECT_COLUMNS,
    ImageRecord,
    parse_line,
)
from dwh.runs.store import RunStore
from examples.generate_images import generate_batches

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]
COPIES = 2  # the same 100k lines in two files: 200k lines, without generating them twice
SUBMIT_TIMEOUT = 600


def executors_of(worker_url: str) -> list[int]:
    """PIDs of live executor JVMs launched by the worker at ``worker_url``."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
            state = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and b"CoarseGrainedExecutorBackend" in b" ".join(args):
            if worker_url.encode() in args:
                pids.append(int(cmdline.parent.name))
    return pids


def running_task_of_stage(work_dir: Path, stage: int) -> bool:
    """Whether an executor of this worker has started a task of ``stage`` (its log says)."""
    started = re.compile(rf"Running task \S+ in stage {stage}\.")
    return any(
        started.search(log.read_text(errors="replace")) for log in work_dir.glob("app-*/*/stderr")
    )


def lose_machine(worker: Any) -> tuple[list[int], list[int]]:
    """SIGKILL the worker's process group, then every executor it launched that is left.

    Returns:
        The executors it ran, and those the group kill alone did not reach.
    """
    executors = executors_of(worker.url)
    assert executors, "the worker runs an executor"
    os.killpg(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait(timeout=30)
    time.sleep(0.5)
    survivors = executors_of(worker.url)
    for pid in survivors:  # launched outside the worker's group: a lost machine loses them
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while executors_of(worker.url) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not executors_of(worker.url), "no executor of the lost worker survives"
    return executors, survivors


def utc(value: Any) -> Any:
    """Timestamps compare as UTC instants, however the parquet file stores them."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


def table_rows(path: Path, columns: tuple[str, ...]) -> Counter[tuple[Any, ...]]:
    table = pads.dataset(str(path), format="parquet").to_table(columns=list(columns))
    return Counter(tuple(utc(row[c]) for c in columns) for row in table.to_pylist())


def multiply(rows: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    return Counter({row: n * COPIES for row, n in rows.items()})


def worker_state(cluster: Any, url: str) -> str:
    port = int(url.rsplit(":", 1)[1])
    workers = cluster.state()["workers"]
    return str(next(w["state"] for w in workers if int(w["port"]) == port))


def test_a_worker_lost_mid_job_is_survived(
    fault_cluster: Any, artifacts: dict[str, Path], clean_python: Path, tmp_path: Path
) -> None:
    cluster, workers = fault_cluster.cluster, list(fault_cluster.workers)
    day = dt.date(2026, 11, 24)
    batch = generate_batches(seed=23, size=100_000, days=[day])[day]
    raw = tmp_path / "raw"
    raw.mkdir()
    text = "\n".join(batch) + "\n"
    for n in range(COPIES):
        (raw / f"images-{n}.jsonl").write_text(text, encoding="utf-8")
    entry = Path(shutil.copy(REPO / "scripts" / "glue" / "generic_entry.py", tmp_path))
    work = tmp_path / "work"
    work.mkdir()
    events = tmp_path / "events.jsonl"
    config = {
        "raw_path": str(raw),
        "output_path": str(tmp_path / "transformed"),
        "rejects_path": str(tmp_path / "rejects"),
        # The batch is copied COPIES times, so every image_id repeats on purpose: the
        # job's declared unique(image_id) is a warning here, not a failed publish.
        "output_checks": {"output_path": [{"unique": ["image_id"], "severity": "warn"}]},
    }
    command, env = cluster.submit_command(
        entry,
        [
            "--module_name",
            "dwh.jobs.transform_images.transform_images_job_factory",
            "--transform_images_job",
            json.dumps(config),
            "--has_spark",
            "true",
            "--events",
            str(events),
            "--run_id",
            "worker-fault",
        ],
        python=clean_python,
        py_files=artifacts["zip"],
        work=work,
        conf={
            "spark.executor.memory": "512m",
            "spark.executor.cores": "1",
            "spark.cores.max": "2",
            # Many small tasks, so the lost worker has work in flight and work left to do.
            "spark.sql.files.maxPartitionBytes": "2m",
        },
    )
    log = tmp_path / "submit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lost: list[Any] = []
    killed: list[tuple[list[int], list[int]]] = []
    try:
        deadline = time.monotonic() + SUBMIT_TIMEOUT
        for stage in (0, 1):
            victim = None
            while victim is None:
                assert proc.poll() is None, (
                    f"the job ended before the stage-{stage} kill:\n{log.read_text()[-3000:]}"
                )
                assert time.monotonic() < deadline, f"no stage-{stage} task ever ran"
                alive = [w for w in workers if w not in lost]
                # In stage 1, a worker that ran stage-0 tasks too: it holds cached parses.
                ran = [
                    w
                    for w in alive
                    if all(running_task_of_stage(w.work_dir, n) for n in range(stage + 1))
                ]
                victim = ran[0] if ran else None
                time.sleep(0.1)
            killed.append(lose_machine(victim))
            lost.append(victim)
        code = proc.wait(timeout=SUBMIT_TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    submit_log = log.read_text(errors="replace")
    for (executors, outside_group), worker in zip(killed, lost, strict=True):
        print(f"{worker.url}: executors {executors}, outside its process group {outside_group}")
    print("\n".join(line for line in submit_log.splitlines() if "lost" in line.lower()))
    assert code == 0, f"spark-submit failed ({code}):\n{submit_log[-4000:]}"

    # Spark noticed both losses and carried on without them.
    assert len(lost) == 2 and lost[0] is not lost[1]
    assert submit_log.count("ERROR TaskSchedulerImpl: Lost executor") >= 2
    deadline = time.monotonic() + 60
    states = {}
    while time.monotonic() < deadline:
        states = {w.url: worker_state(cluster, w.url) for w in workers}
        if all(states[w.url] == "DEAD" for w in lost):
            break
        time.sleep(0.5)
    assert sorted(states.values()) == ["ALIVE", "DEAD", "DEAD"], states

    # The output is right row for row: the plain-Python rules, once per copy.
    parsed = [parse_line(line) for line in batch]
    images = [p for p in parsed if isinstance(p, ImageRecord)]
    expected_images = Counter(tuple(utc(getattr(p, c)) for c in OUTPUT_COLUMNS) for p in images)
    expected_rejects = Counter(
        tuple(getattr(p, c) for c in REJECT_COLUMNS)
        for p in parsed
        if not isinstance(p, ImageRecord)
    )
    assert table_rows(tmp_path / "transformed", OUTPUT_COLUMNS) == multiply(expected_images)
    assert table_rows(tmp_path / "rejects", REJECT_COLUMNS) == multiply(expected_rejects)

    succeeded = [json.loads(line) for line in events.read_text().splitlines()][-1]
    assert succeeded["event"] == "job_succeeded"
    assert succeeded["metrics"]["input_rows"] == len(batch) * COPIES
    assert succeeded["metrics"]["output_rows"] == len(images) * COPIES
    assert RunStore(work / ".dwh" / "runs.db").get("worker-fault").status == "succeeded"  # type: ignore[union-attr]

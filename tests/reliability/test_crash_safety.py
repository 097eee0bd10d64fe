"""Crash safety of the real jobs: SIGKILL transform_images and filter_images mid-run.

Each trial starts the real job as a real process through the Glue generic entry (a
local Spark driver JVM, Python workers), on a copy of an earlier committed output, and
kills its whole process group with SIGKILL at a seeded random moment after a chosen
point of its life:

=========================  ==========================================================
phase                      the kill comes at a random delay after
=========================  ==========================================================
``startup``                the process starts (before any event: imports, JVM start)
``extract``                ``job_started``
``transform``              ``phase_finished`` of extract
``write``                  the hidden staging folder of one output appears (Spark is
                           writing it)
``audit``                  every output is staged and its checks are being computed,
                           before any is published
``commit-before-swap``     the loader calls ``atomic_commit.commit`` with a complete
                           staging folder, just before the swap
``commit-after-swap``      the swap of one output, before the old version is deleted
=========================  ==========================================================

The two commit phases are hit exactly, without touching production code: a
``sitecustomize.py`` on the child's ``PYTHONPATH`` wraps ``atomic_commit.commit`` (or
the swap inside it) for one named output, writes a marker file and sleeps there; the
test kills when the marker appears. transform_images commits twice (rejects, then
images), so both commits are hit, including the moment between them.

After each kill: the process died of SIGKILL before any final event; every output
folder holds exactly the earlier version or, only where the kill came after its
swap, the complete new one, row for row (hidden staging leftovers are allowed, they are
hidden); a new batch of images is never visible without its rejects; a reader polling
the outputs during the whole trial only ever saw one of the two versions; the run store
calls the run ``lost`` (never succeeded) and holds the events stream's events, all but
the last at most (each event goes to the stream first, then to the store). Then the job is rerun in-process through its
``main(**kwargs)`` (a faithful rerun: factory, output lock, recovery, staging, commit;
only the Spark session is the test session's): the killed run's lock does not block
it, its leftovers are cleaned up, and its output equals an uninterrupted run's row for
row.

:data:`TRIALS` lists the trials: 13 of transform_images and 11 of filter_images.
Two trials run at a time, each in its own folder, to halve the JVM start-up cost; the
driver JVM runs with the C1 compiler only, which starts faster and changes nothing the
test checks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.dataset as pads
import pytest

from dwh.events import TERMINAL_EVENTS, Event
from dwh.jobs.filter_images import filter_images_job_factory
from dwh.jobs.transform_images import transform_images_job_factory
from dwh.runs.store import RunStore
from dwh.services.atomic_commit import previous_versions
from examples.generate_images import generate_batches, write_batches

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
GLUE_ENTRY = REPO / "scripts" / "glue" / "generic_entry.py"
MODULES = {
    "transform_images": "dwh.jobs.transform_images.transform_images_job_factory",
    "filter_images": "dwh.jobs.filter_images.filter_images_job_factory",
}
MAINS: dict[str, Callable[..., Any]] = {
    "transform_images": transform_images_job_factory.main,
    "filter_images": filter_images_job_factory.main,
}
D24, D25 = dt.date(2026, 11, 24), dt.date(2026, 11, 25)
SEED = 20261126
LANES = 2
TRIGGER_TIMEOUT = 180.0
PAUSE_ENV = "DWH_CRASH_PAUSE"

SITECUSTOMIZE = '''\
"""Fault injection for test_crash_safety: hold the job inside one output's commit."""

import os

_PAUSE = os.environ.pop("DWH_CRASH_PAUSE", "")  # popped: Spark's Python workers skip this
if _PAUSE:
    import time
    from pathlib import Path

    from dwh.services import atomic_commit

    _WHERE, _NAME, _MARKER = _PAUSE.split("|")

    def _hold(target):
        Path(_MARKER).write_text(str(target))
        time.sleep(120)  # the test kills the process here

    if _WHERE == "audit":
        from dwh.spark import audit

        def _audit(frame, checks, *, output, path, read_other=None):
            _hold(path)  # every output is staged; none is published yet

        audit.audit_frame = _audit  # what audit_staged calls for each output
    elif _WHERE == "before":
        _real_commit = atomic_commit.commit

        def _commit(staged, target, **options):
            if Path(target).name == _NAME:
                _hold(target)
            return _real_commit(staged, target, **options)

        atomic_commit.commit = _commit  # what ParquetLoader.load calls
    else:
        _real_exchange = atomic_commit._exchange

        def _exchange(a, b):
            swapped = _real_exchange(a, b)
            if swapped and Path(b).name == _NAME:
                _hold(b)  # swapped in; the old version not yet deleted
            return swapped

        atomic_commit._exchange = _exchange
'''


@dataclass(frozen=True)
class Trial:
    """One kill: which job, after which point, and (write and commit) which output."""

    job: str
    phase: str
    output: str = ""

    @property
    def label(self) -> str:
        return f"{self.job}/{self.phase}" + (f"/{self.output}" if self.output else "")


def _trials() -> list[Trial]:
    transform = "transform_images"
    filter_ = "filter_images"
    trials: list[Trial] = []
    for job, outputs in ((transform, ("rejects", "images")), (filter_, ("day=25",))):
        trials += [
            Trial(job, phase) for phase in ("startup", "extract", "transform") for _ in (1, 2)
        ]
        trials += [Trial(job, "write", outputs[0]), Trial(job, "write", outputs[-1])]
        trials += [Trial(job, "audit")]
        trials += [
            Trial(job, phase, output)
            for output in outputs
            for phase in ("commit-before-swap", "commit-after-swap")
        ]
    return trials


TRIALS = _trials()
TRIALS_PER_JOB = {"transform_images": 13, "filter_images": 11}
"""transform_images: 2 each of startup, extract, transform; write of rejects and of
images; the audit; before and after the swap of rejects and of images (13).
filter_images: 2 each of startup, extract, transform; 2 writes; the audit; before and
after the swap (11)."""


# --- data ---------------------------------------------------------------------------


Rows = tuple[str, ...]


def rows_of(path: Path) -> Rows:
    """The dataset's rows, order-free: sorted canonical JSON of each row."""
    table = pads.dataset(str(path), format="parquet").to_table()
    return tuple(sorted(json.dumps(r, sort_keys=True, default=str) for r in table.to_pylist()))


@dataclass
class Versions:
    """The earlier committed version and the uninterrupted new version of each output."""

    old: dict[str, Rows]
    new: dict[str, Rows]

    def which(self, name: str, path: Path) -> str:
        rows = rows_of(path)
        if rows == self.old[name]:
            return "old"
        if rows == self.new[name]:
            return "new"
        raise AssertionError(f"{path} holds neither version: {len(rows)} rows")


@dataclass
class Pipeline:
    """Inputs and the two versions of each job's outputs, made by uninterrupted runs."""

    root: Path
    store: Path
    locks: Path
    raw_new: Path
    transformed_new: Path
    old_trees: dict[str, Path]
    history_rows: int
    versions: dict[str, Versions] = field(default_factory=dict)


def run_in_process(job: str, config: dict[str, Any], run_id: str, store: Path) -> Any:
    """Run a job through its factory module's ``main``, as the generic entry does."""
    return MAINS[job](
        **{f"{job}_job": json.dumps(config)},
        has_spark="true",
        run_id=run_id,
        run_store=str(store),
    )


def transform_config(raw: Path, tree: Path) -> dict[str, Any]:
    return {
        "raw_path": str(raw),
        "output_path": str(tree / "images"),
        "rejects_path": str(tree / "rejects"),
    }


def filter_config(transformed: Path, tree: Path, day: dt.date) -> dict[str, Any]:
    return {
        "base_path": str(tree / "filtered"),
        "timezone": "America/Los_Angeles",
        "transform_output_path": str(transformed),
        "run_date": day.isoformat(),
        "lookback_days": 30,
    }


def outputs_of(job: str, tree: Path) -> dict[str, Path]:
    if job == "transform_images":
        return {"rejects": tree / "rejects", "images": tree / "images"}
    return {"day=25": tree / "filtered" / "year=2026" / "month=11" / "day=25"}


def config_of(job: str, pipeline: Pipeline, tree: Path) -> dict[str, Any]:
    if job == "transform_images":
        return transform_config(pipeline.raw_new, tree)
    return filter_config(pipeline.transformed_new, tree, D25)


@pytest.fixture(scope="module")
def pipeline(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """Earlier outputs and reference outputs of both jobs, from uninterrupted runs.

    transform_images: the earlier version comes from another day's raw lines, the
    reference from the new raw lines. filter_images writes the 2026-11-25 partition
    next to a 2026-11-24 partition (its history): the earlier version from another
    batch, the reference from the new transform output.
    """
    root = tmp_path_factory.mktemp("crash")
    store, locks = root / "runs.db", root / "locks"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DWH_LOCK_DIR", str(locks))
        patch.setenv("DWH_ALERTS", "off")
        history = generate_batches(seed=SEED, size=300, days=[D24, D25])
        other = generate_batches(seed=SEED + 1, size=200, days=[D25])[D25]
        raw = write_batches(history, root / "raw")
        raw_old = write_batches({D25: other}, root / "raw-old")[D25]

        # transform_images: old = the other lines, new = the 2026-11-25 lines.
        run_in_process(
            "transform_images", transform_config(raw_old, root / "t-old"), "t-old", store
        )
        run_in_process(
            "transform_images", transform_config(raw[D25], root / "t-new"), "t-new", store
        )
        run_in_process("transform_images", transform_config(raw[D24], root / "t-24"), "t-24", store)

        # filter_images: history partition from 2026-11-24, then day 25 old and new.
        f_old, f_new = root / "f-old", root / "f-new"
        for tree in (f_old, f_new):
            run_in_process(
                "filter_images", filter_config(root / "t-24/images", tree, D24), "", store
            )
        run_in_process(
            "filter_images", filter_config(root / "t-old/images", f_old, D25), "f-old", store
        )
        run_in_process(
            "filter_images", filter_config(root / "t-new/images", f_new, D25), "f-new", store
        )

        built = Pipeline(
            root=root,
            store=store,
            locks=locks,
            raw_new=raw[D25],
            transformed_new=root / "t-new" / "images",
            old_trees={"transform_images": root / "t-old", "filter_images": f_old},
            history_rows=len(rows_of(f_old / "filtered" / "year=2026" / "month=11" / "day=24")),
        )
        for job, old, new in (
            ("transform_images", root / "t-old", root / "t-new"),
            ("filter_images", f_old, f_new),
        ):
            built.versions[job] = Versions(
                old={name: rows_of(path) for name, path in outputs_of(job, old).items()},
                new={name: rows_of(path) for name, path in outputs_of(job, new).items()},
            )
        for versions in built.versions.values():
            for name in versions.old:
                assert versions.old[name] != versions.new[name], "the versions must differ"
                assert versions.new[name], "the new version has rows"
        yield built


# --- one trial ------------------------------------------------------------------------


def live_members(pgid: int) -> list[int]:
    """Processes of the group that are still running (zombies excluded)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the job's whole process group (driver Python, JVM, Python workers)."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while live_members(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not live_members(proc.pid), "a process of the killed job survived"


def events_so_far(path: Path) -> list[Event]:
    """The complete lines of the events stream (a partly written last line waits)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [Event.from_json(line) for line in text[: text.rfind("\n") + 1].splitlines() if line]


class PollingReader(threading.Thread):
    """Reads every output again and again while the trial runs; keeps what it saw."""

    def __init__(self, outputs: dict[str, Path], versions: Versions) -> None:
        super().__init__(daemon=True)
        self.outputs, self.versions = outputs, versions
        self.stopping = threading.Event()
        self.reads = 0
        self.problems: list[str] = []

    def run(self) -> None:
        while not self.stopping.is_set():
            for name, path in self.outputs.items():
                try:
                    self.versions.which(name, path)
                    self.reads += 1
                except FileNotFoundError:
                    pass  # listed, then swapped away before it was opened: read again
                except Exception as exc:
                    self.problems.append(f"{name}: {type(exc).__name__}: {exc}")
            self.stopping.wait(0.1)


@dataclass
class Outcome:
    trial: Trial
    tree: Path
    run_id: str
    state: dict[str, str]
    reads: int
    leftovers: list[str]


def wait_for(
    proc: subprocess.Popen[str], ready: Callable[[], bool], trial: Trial, err: Path
) -> None:
    deadline = time.monotonic() + TRIGGER_TIMEOUT
    while not ready():
        if proc.poll() is not None:
            raise AssertionError(
                f"{trial.label}: the job ended ({proc.returncode}) before the kill point:\n"
                + err.read_text()[-3000:]
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"{trial.label}: kill point not reached")
        time.sleep(0.01)


def run_trial(pipeline: Pipeline, number: int, trial: Trial) -> Outcome:
    """Start the job on a copy of the earlier outputs, kill it, check what is left."""
    rng = random.Random(f"{SEED}-{number}")
    tree = pipeline.root / f"trial-{number:02d}"
    shutil.copytree(pipeline.old_trees[trial.job], tree)
    outputs = outputs_of(trial.job, tree)
    versions = pipeline.versions[trial.job]
    run_id = f"kill-{number:02d}"
    events, marker, err = tree / "events.jsonl", tree / "commit.marker", tree / "stderr.txt"
    hooks = tree / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK", "DWH_"))}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")])),
        DWH_HOME=str(tree / "home"),
        DWH_RUN_STORE=str(pipeline.store),
        DWH_LOCK_DIR=str(pipeline.locks),
        DWH_ALERTS="off",
        # C1 only and the serial GC: the JVM starts in about two thirds of the time.
        PYSPARK_SUBMIT_ARGS=(
            "--driver-java-options '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' pyspark-shell"
        ),
    )
    if trial.phase.startswith("commit-"):
        where = "before" if trial.phase == "commit-before-swap" else "after"
        env[PAUSE_ENV] = f"{where}|{outputs[trial.output].name}|{marker}"
    elif trial.phase == "audit":
        env[PAUSE_ENV] = f"audit|-|{marker}"

    def seen(name: str, phase: str | None = None) -> bool:
        return any(
            e.event == name and (phase is None or e.payload.get("phase") == phase)
            for e in events_so_far(events)
        )

    def staging() -> bool:
        target = outputs[trial.output]
        return any(target.parent.glob(f".{target.name}.dwh-staging-*"))

    ready: dict[str, Callable[[], bool]] = {
        "startup": lambda: True,
        "extract": lambda: seen("job_started"),
        "transform": lambda: seen("phase_finished", "extract"),
        "write": staging,
        "audit": marker.exists,
        "commit-before-swap": marker.exists,
        "commit-after-swap": marker.exists,
    }
    delay = {
        "startup": rng.uniform(0.3, 3.0),
        "extract": rng.uniform(0.0, 0.8),
        "transform": rng.uniform(0.0, 0.8),
        "write": rng.uniform(0.0, 0.1),
    }.get(trial.phase, rng.uniform(0.0, 0.2))

    reader = PollingReader(outputs, versions)
    reader.start()
    command = [
        sys.executable,
        str(GLUE_ENTRY),
        "--module_name",
        MODULES[trial.job],
        f"--{trial.job}_job",
        json.dumps(config_of(trial.job, pipeline, tree)),
        "--has_spark",
        "true",
        "--run_id",
        run_id,
        "--events",
        str(events),
    ]
    with err.open("w") as stderr:
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    try:
        wait_for(proc, ready[trial.phase], trial, err)
        time.sleep(delay)
        assert proc.poll() is None, f"{trial.label}: the job ended before the kill"
    finally:
        if proc.poll() is None:
            kill_group(proc)
        reader.stopping.set()
        reader.join()
    assert proc.returncode == -signal.SIGKILL

    # Nothing final was reported, and the store does not call the run a success.
    assert not [e.event for e in events_so_far(events) if e.event in TERMINAL_EVENTS]
    with RunStore(pipeline.store) as store:
        record = store.get(run_id)
        stored = [e.event for e in store.events(run_id) if e.event != "spark_progress"]
    # The recording process is gone, so reading the store calls the run lost.
    assert record is None or record.status == "lost", (trial.label, record)
    # Each event goes to the stream first, then to the store, so a kill can fall between
    # the two; the store is behind by that one event at most, never by more.
    # spark_progress: the stream has every tick, the store one per finished stage.
    streamed = [e.event for e in events_so_far(events) if e.event != "spark_progress"]
    assert stored == streamed[: len(stored)], (trial.label, stored, streamed)
    assert len(stored) >= len(streamed) - 1, (
        f"{trial.label}: the store holds {stored}, the stream {streamed}:\n"
        + err.read_text()[-3000:]
    )
    assert (record is None) == (not stored), (trial.label, record, stored)

    # Every output is one whole version; readers during the run saw nothing else.
    assert not reader.problems, (trial.label, reader.problems[:3])
    state = {name: versions.which(name, path) for name, path in outputs.items()}
    leftovers = [
        f"{p.name.split('.dwh-')[0][1:]}:{'complete' if (p / '_SUCCESS').exists() else 'partial'}"
        for path in outputs.values()
        for p in path.parent.glob(f".{path.name}.dwh-*")
    ]
    if "images" in state and state["images"] == "new":
        assert state["rejects"] == "new", "a new batch is never visible without its rejects"
    if trial.job == "filter_images":
        # A reader of the whole partitioned table skips the hidden leftovers.
        table = pads.dataset(str(tree / "filtered"), format="parquet", partitioning="hive")
        day = versions.old if state["day=25"] == "old" else versions.new
        assert table.count_rows() == pipeline.history_rows + len(day["day=25"])
    return Outcome(trial, tree, run_id, state, reader.reads, leftovers)


def expected_state(trial: Trial) -> dict[str, str] | None:
    """What must be left after a kill at an exact point; None where timing decides."""
    if trial.job == "filter_images":
        if trial.phase == "commit-before-swap":
            return {"day=25": "old"}
        if trial.phase == "commit-after-swap":
            return {"day=25": "new"}
    elif trial.phase.startswith("commit-"):
        swapped = trial.phase == "commit-after-swap"
        if trial.output == "rejects":
            return {"rejects": "new" if swapped else "old", "images": "old"}
        return {"rejects": "new", "images": "new" if swapped else "old"}
    if trial.phase in ("startup", "extract", "audit"):
        return dict.fromkeys(outputs_of(trial.job, Path()), "old")
    return None


def rerun_and_compare(pipeline: Pipeline, outcome: Outcome) -> None:
    """Rerun in-process on what the kill left; the output must equal the reference."""
    job, tree = outcome.trial.job, outcome.tree
    outputs = outputs_of(job, tree)
    rerun_id = f"re{outcome.run_id}"
    run_in_process(job, config_of(job, pipeline, tree), rerun_id, pipeline.store)
    versions = pipeline.versions[job]
    for name, path in outputs.items():
        assert rows_of(path) == versions.new[name], f"{outcome.trial.label}: rerun of {name}"
        leftovers = [
            p.name
            for p in path.parent.iterdir()
            if p.name.startswith(f".{path.name}.") and ".dwh-previous-" not in p.name
        ]
        assert not leftovers, f"the rerun cleaned up the killed run's leftovers: {leftovers}"
        assert len(previous_versions(path)) <= 1, "one hidden previous version at most"
    if job == "filter_images":
        history = tree / "filtered" / "year=2026" / "month=11" / "day=24"
        assert rows_of(history) == rows_of(pipeline.old_trees[job] / history.relative_to(tree))
    with RunStore(pipeline.store) as store:
        assert store.get(rerun_id).status == "succeeded"  # type: ignore[union-attr]
        killed = store.get(outcome.run_id)
    assert killed is None or killed.status == "lost", "the rerun does not rewrite history"


@pytest.mark.parametrize("job", ["transform_images", "filter_images"])
def test_sigkill_at_any_moment_loses_nothing_and_a_rerun_repairs(
    job: str, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWH_LOCK_DIR", str(pipeline.locks))
    monkeypatch.setenv("DWH_ALERTS", "off")
    trials = [(n, t) for n, t in enumerate(TRIALS) if t.job == job]
    assert len(trials) == TRIALS_PER_JOB[job], "docs/reliability.md states these counts"
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(LANES) as lanes:
        futures = [lanes.submit(run_trial, pipeline, n, trial) for n, trial in trials]
        try:
            # Reruns go in this thread (the test's Spark session) while other kills go on.
            for future in as_completed(futures):
                outcome = future.result()
                expected = expected_state(outcome.trial)
                if expected is not None:
                    assert outcome.state == expected, outcome.trial.label
                rerun_and_compare(pipeline, outcome)
                outcomes.append(outcome)
        finally:
            for future in futures:
                future.cancel()
    assert len(outcomes) == len(trials)
    for o in sorted(outcomes, key=lambda o: o.run_id):  # shown with -rP: where each kill landed
        print(f"{o.run_id} {o.trial.label:45} left {o.state} hidden {o.leftovers} reads {o.reads}")
    assert sum(o.reads for o in outcomes) > 0, "the polling reader read the outputs"

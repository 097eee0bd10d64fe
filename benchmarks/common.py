"""What the measurements share: settings, paths, running a process and timing it."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dwh.spark.conf import ALWAYS, LOCAL_DEFAULTS

REPO = Path(__file__).resolve().parents[1]
ENTRY = REPO / "scripts" / "glue" / "generic_entry.py"
NOOP_RUN = [
    sys.executable,
    str(ENTRY),
    "--module_name",
    "dwh.jobs.noop.noop_job_factory",
    "--noop_job",
    "{}",
    "--has_spark",
    "false",
]
"""The noop job through the generic entry, without Spark: dwh's own floor."""
FILTER_MODULE = "dwh.jobs.filter_images.filter_images_job_factory"
RUN_DATE = "2026-11-25"
HISTORY_DAY = (2026, 11, 24)

SPARK_CONF: dict[str, str] = {**LOCAL_DEFAULTS, **ALWAYS}
"""The settings both sides of every Spark comparison get: the local defaults plus UTC."""


@dataclass
class Settings:
    """How big and how often.

    Attributes:
        quick: The ``--quick`` mode.
        pairs: Kept A/B pairs per comparison (after one warm-up pair).
        overhead_pairs: Kept pairs of the framework-overhead comparison, whose cold
            runs vary by several seconds from one to the next.
        rows: Rows of the framework-overhead comparison.
        warm_rows: Rows of the warm re-run comparison.
        scale_rows: The small and the large size of the scale comparison.
        scale_pairs: Kept pairs of the scale comparison.
        registry_jobs: Generated job modules for the registry and TUI tree.
        workdir: Where data and generated jobs go.
        full_tests: Whether to run the full ``make test`` tier.
    """

    quick: bool
    pairs: int
    rows: int
    warm_rows: int
    scale_rows: tuple[int, int]
    scale_pairs: int
    registry_jobs: int
    workdir: Path
    full_tests: bool = True
    light_pairs: int = 10
    overhead_pairs: int = 7
    extra: dict[str, str] = field(default_factory=dict)


def spark_submit() -> Path:
    """The ``spark-submit`` of the pip-installed pyspark, found without importing it."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyspark is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "spark-submit"


def submit_command(
    script: Path | str, *args: str, conf: Mapping[str, str] | None = None
) -> list[str]:
    """``spark-submit --master local[*] --conf ... script args``: the same for A and B.

    ``conf`` adds settings on top of :data:`SPARK_CONF` (an event log, say).
    """
    command = [str(spark_submit()), "--master", "local[*]"]
    for key, value in {**SPARK_CONF, **(conf or {})}.items():
        command += ["--conf", f"{key}={value}"]
    return [*command, str(script), *args]


def bench_env(home: Path) -> dict[str, str]:
    """The environment of every probe: this interpreter for Spark, a private DWH_HOME."""
    env = dict(os.environ)
    env.update(
        {
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
            "DWH_HOME": str(home),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")])),
        }
    )
    env.pop("DWH_RUN_STORE", None)
    env.pop("DWH_EVENTS", None)
    # Installed software runs from cached bytecode (pip compiles it); some shells and CI
    # images set PYTHONDONTWRITEBYTECODE, which would recompile dwh on every probe.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@dataclass
class ProcessResult:
    """Wall time, the largest RSS of any process in the tree, and the output."""

    wall: float
    rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    peak_mb: dict[str, float] = field(default_factory=dict)
    """With ``sample=True``: the peak RSS (VmHWM) of the tree's processes, by program
    (``python``, ``java``), the largest process of each kind."""
    started_at: float = 0.0
    """Epoch seconds when the process was started (to place Spark's own timestamps)."""

    @property
    def ended_at(self) -> float:
        """Epoch seconds when it exited."""
        return self.started_at + self.wall


class TreeSampler:
    """Polls ``/proc`` for a process tree and keeps each program's largest VmHWM.

    ``wait4`` gives only the single largest process of a tree, which for
    ``spark-submit`` is the JVM. The Python driver is another process of that tree;
    its own peak is what shows whether anything is collected to the driver. VmHWM is
    the kernel's high-water mark of a process, so polling misses only growth in the
    last interval before a process exits.
    """

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root = root
        self.interval = interval
        self.peak_kb: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peaks_mb(self) -> dict[str, float]:
        return {kind: round(kb / 1024, 1) for kind, kb in sorted(self.peak_kb.items())}

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in _descendants(self.root):
                kind, hwm = _hwm(pid)
                if kind and hwm > self.peak_kb.get(kind, 0):
                    self.peak_kb[kind] = hwm


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _hwm(pid: int) -> tuple[str, int]:
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return "", 0
    name = fields.get("Name", "").strip()
    kind = "python" if name.startswith("python") else "java" if name == "java" else ""
    return kind, int(fields.get("VmHWM", "0 kB").split()[0])


def run_process(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = REPO,
    timeout: float = 1800,
    sample: bool = False,
) -> ProcessResult:
    """Run ``command`` to the end; fail loudly when it fails.

    The peak RSS comes from ``wait4``: the largest resident set of the child and of
    every descendant it waited for (for ``spark-submit``, that is the driver JVM).
    ``sample=True`` also polls the tree for each program's peak (:class:`TreeSampler`).
    """
    started_at = time.time()
    start = time.perf_counter()
    with (
        open(os.devnull, "rb") as stdin,
        _Spool() as out,
        _Spool() as err,
    ):
        proc = subprocess.Popen(
            command, stdin=stdin, stdout=out.fd, stderr=err.fd, env=env, cwd=cwd
        )
        sampler = TreeSampler(proc.pid)
        deadline = start + timeout
        with sampler if sample else contextlib.nullcontext():
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.002)
            wall = time.perf_counter() - start  # before the sampler's thread is joined
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout, stderr = out.text(), err.text()
    result = ProcessResult(
        wall,
        usage.ru_maxrss / 1024,
        proc.returncode,
        stdout,
        stderr,
        sampler.peaks_mb(),
        started_at,
    )
    if result.returncode != 0:
        said = [line for line in stderr.splitlines() if line.startswith(("dwh:", "Traceback"))]
        raise RuntimeError(
            f"{' '.join(command[:6])}... exited {result.returncode}: "
            f"{' / '.join(said)} {stderr[-1500:]}"
        )
    return result


class _Spool:
    """A temporary file for a child's output (a pipe could fill up and stall it)."""

    def __enter__(self) -> _Spool:
        import tempfile

        self._file = tempfile.TemporaryFile()
        self.fd = self._file.fileno()
        return self

    def text(self) -> str:
        self._file.seek(0)
        return self._file.read().decode("utf-8", "replace")

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def filter_config(transform_output_path: Path, base_path: Path) -> str:
    """The filter_images config both sides run with."""
    return json.dumps(
        {
            "transform_output_path": str(transform_output_path),
            "base_path": str(base_path),
            "timezone": "UTC",
            "run_date": RUN_DATE,
            "lookback_days": 30,
        }
    )

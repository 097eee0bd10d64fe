"""(8) The warm loop: ``dwh run --warm`` against cold ``dwh run``, and what warm costs.

A private local Spark Connect server (its own discovery file and port) serves the warm
side and is stopped by pid at the end. Rows:

- ``transform_images`` on 20,000 raw lines, cold and warm interleaved (target <= 0.15,
  issue 25: warm runs are forked by the warm runner);
- ``filter_images`` on 100,000 rows, the same way;
- a trivial Spark job through the warm runner, against the runner off, and the thin
  client's start (:mod:`benchmarks.warm_runner`; target <= 0.6 s);
- where a warm run's fixed costs go: the Connect client's import, the session, the
  first Python step (each session gets its own Python worker daemon on the server);
- the delay from an action's start to its first ``spark_progress``, warm and cold
  (target <= 1 s), and the largest gap between progress payloads (target < 0.5 s);
- the server's memory: idle after start, and after the runs (JVM plus Python workers).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, Settings, bench_env, run_process
from benchmarks.harness import Row, compare, interleave, python
from benchmarks.warm_runner import trivial

TRANSFORM_LINES = 20_000
FILTER_ROWS = 100_000
RATIO_LIMIT = 0.15
PROGRESS_LIMIT_S = 1.0


def run(settings: Settings) -> list[Row]:
    """Measure the warm loop on a private server; stop it whatever happens."""
    root = settings.workdir / "warm-loop"
    env = server_env(root)
    with private_server(env) as started:
        url = started["url"]
        idle_mb = started["rss_mb"]
        rows = [
            _transform(settings, root, env),
            _filter(settings, root, env),
            *trivial(settings, root, env),
            _fixed_costs(env, url),
            *_progress(env, url),
        ]
        after_mb = _status(env)["rss_mb"]
        rows.append(
            Row(
                "warm server memory (RSS)",
                f"idle after start: {idle_mb:.0f} MB",
                f"after the runs above: {after_mb:.0f} MB",
                f"{idle_mb:.0f} MB idle",
                note="JVM plus its Python worker daemons (one per session that ran Python)",
                data={"idle_mb": idle_mb, "after_mb": after_mb},
            )
        )
    return rows


def _dwh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(python()).with_name("dwh")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO, check=True)


def _status(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json; from dwh.spark import server_status as s; st = s(); "
        "print(json.dumps({**st.to_json(), 'rss_mb': (st.rss_bytes or 0) / 2**20}))"
    )
    out = subprocess.run([python(), "-c", code], env=env, capture_output=True, text=True,
                         check=True, cwd=REPO)  # fmt: skip
    return dict(json.loads(out.stdout))


@contextlib.contextmanager
def private_server(env: dict[str, str]) -> Iterator[dict[str, Any]]:
    """A private server (``server_env``) for the block; stopped by pid whatever happens."""
    pid = None
    try:
        _dwh(env, "spark", "start")
        status = _status(env)
        pid = status["pid"]
        yield status
    finally:
        with contextlib.suppress(Exception):
            _dwh(env, "spark", "stop")
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def server_env(root: Path) -> dict[str, str]:
    """Create ``root``; return an environment with a private server's discovery and port."""
    root.mkdir(parents=True, exist_ok=True)
    env = bench_env(root / "home")
    env["SPARK_LOCAL_CONNECT_DISCOVERY"] = str(root / "server" / "connect-local.json")
    env["DWH_SPARK_PORT"] = str(_free_port())
    return env


def generate_raw(root: Path, lines: int, env: dict[str, str]) -> Path:
    """Generate ``lines`` raw image lines under ``root`` once; return their day folder."""
    raw = root / f"raw-{lines}"
    if not raw.exists():
        run_process(
            [python(), "-m", "examples.generate_images", "--out", str(raw), "--size",
             str(lines), "--days", "2026-11-24"],
            env=env,
        )  # fmt: skip
    return raw / "2026-11-24"


def _transform(settings: Settings, root: Path, env: dict[str, str]) -> Row:
    raw = generate_raw(root, TRANSFORM_LINES, env)
    serial = count()

    def one(warm: bool) -> float:
        out = root / "transform" / str(next(serial))
        config = {"raw_path": str(raw), "output_path": str(out / "images"),
                  "rejects_path": str(out / "rejects")}  # fmt: skip
        return _run(env, "transform_images", config, warm)

    pairs = interleave(lambda: one(False), lambda: one(True), pairs=settings.pairs)
    return compare(
        f"warm loop, transform_images, {TRANSFORM_LINES:,} lines",
        ("cold dwh run", "dwh run --warm"),
        pairs,
        target=f"ratio <= {RATIO_LIMIT}",
        limit=RATIO_LIMIT,
        note="whole `dwh run` processes, interleaved; the server already runs; after each "
        "warm run, untimed, its spare session gets ready (as while one edits the code)",
    )


def _filter(settings: Settings, root: Path, env: dict[str, str]) -> Row:
    raw = generate_raw(root, FILTER_ROWS, env)
    transformed = root / "filter-input"
    if not transformed.exists():
        config = {"raw_path": str(raw), "output_path": str(transformed / "images"),
                  "rejects_path": str(transformed / "rejects")}  # fmt: skip
        _run(env, "transform_images", config, True)
    serial = count()

    def one(warm: bool) -> float:
        config = {
            "base_path": str(root / "filter" / str(next(serial))),
            "timezone": "UTC",
            "transform_output_path": str(transformed / "images"),
            "run_date": "2026-11-25",
        }
        return _run(env, "filter_images", config, warm)

    pairs = interleave(lambda: one(False), lambda: one(True), pairs=settings.pairs)
    return compare(
        f"warm loop, filter_images, {FILTER_ROWS:,} rows",
        ("cold dwh run", "dwh run --warm"),
        pairs,
        target=f"ratio <= {RATIO_LIMIT}",
        limit=RATIO_LIMIT,
        note="input: a transform_images output of 100,000 generated lines",
    )


def _run(env: dict[str, str], job: str, config: dict[str, Any], warm: bool) -> float:
    command = [str(Path(python()).with_name("dwh")), "run", job, "--config", json.dumps(config)]
    if warm:
        command.append("--warm")
    wall = run_process(command, env=env).wall
    if warm:
        wait_for_spare(env)
    return wall


def wait_for_spare(env: dict[str, str], timeout: float = 30.0) -> None:
    """Untimed: let the spare session a warm run leaves get ready, as it does while a
    developer edits between two runs, so that it never competes with the next run."""
    folder = Path(env["SPARK_LOCAL_CONNECT_DISCOVERY"]).parent / "prewarmed"
    deadline = time.monotonic() + timeout
    while not any(folder.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.1)


def _probe(env: dict[str, str], kind: str, url: str) -> dict[str, float]:
    out = run_process([python(), "-m", "benchmarks.warm_probe", kind, url], env=env)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _fixed_costs(env: dict[str, str], url: str) -> Row:
    samples = [_probe(env, "fixed", url) for _ in range(3)]
    median = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    text = ", ".join(f"{key.replace('_', ' ')} {value:.2f} s" for key, value in median.items())
    return Row(
        "warm run fixed costs (median of 3 fresh processes)",
        "",
        text,
        f"{sum(v for k, v in median.items() if k != 'second_python_step'):.2f} s before work",
        note="each new session gets its own Python worker daemon on the server",
        data={"samples": samples, "median": median},
    )


def _progress(env: dict[str, str], url: str) -> list[Row]:
    rows = []
    for label, target in (("warm (Connect handler)", url), ("cold (status tracker)", "classic")):
        result = _probe(env, "progress", target)
        # Cold: from the stage's submission (the JVM says when). Warm: Connect does not
        # say, so from the action's start, planning included (an upper bound).
        exact = result.get("from_stage_submission_s", float("nan"))
        first = exact if exact == exact else result["first_event_s"]
        since = "stage submission" if exact == exact else "action start (upper bound)"
        rows.append(
            Row(
                f"delay to the first spark_progress of a stage, {label}",
                "",
                f"first {first:.2f} s after {since}; action start to first event "
                f"{result['first_event_s']:.2f} s; largest gap {result['max_gap_s']:.2f} s; "
                f"{result['events']:.0f} events",
                f"{first:.2f} s",
                target=f"<= {PROGRESS_LIMIT_S} s",
                met=first <= PROGRESS_LIMIT_S,
                note="first payload with tasks, for a 2-task stage that runs 2 s",
                data=result,
            )
        )
    return rows


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":  # pragma: no cover - run through python -m benchmarks
    sys.exit("run: python -m benchmarks --only warm_loop")

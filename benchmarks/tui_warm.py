"""The TUI's warm loop: seconds from ``ctrl+j`` (warm) against ``ctrl+k`` (cold) to success.

Each run is a fresh headless TUI process (``benchmarks.tui_probe run``) that opens
``transform_images`` on 20,000 generated lines, presses the key and waits for the run
console to show ``job_succeeded``; cold and warm alternate. A private local Spark
Connect server (its own discovery file and port) serves the warm side and is stopped
by pid at the end.
"""

from __future__ import annotations

import json
from itertools import count

from benchmarks.common import Settings, run_process
from benchmarks.harness import Row, compare, interleave, python
from benchmarks.warm_loop import (
    TRANSFORM_LINES,
    generate_raw,
    private_server,
    server_env,
    wait_for_spare,
)

RATIO_LIMIT = 0.15


def run(settings: Settings) -> list[Row]:
    """Measure ``ctrl+j`` warm against ``ctrl+k`` cold; stop the server whatever happens."""
    root = settings.workdir / "tui-warm"
    env = server_env(root)
    raw = generate_raw(root, TRANSFORM_LINES, env)
    serial = count()

    def one(mode: str) -> float:
        out = root / "out" / str(next(serial))
        config = {"raw_path": str(raw), "output_path": str(out / "images"),
                  "rejects_path": str(out / "rejects")}  # fmt: skip
        command = [python(), "-m", "benchmarks.tui_probe", "run", mode, "transform_images"]
        result = run_process([*command, json.dumps(config)], env=env)
        if mode == "warm":
            wait_for_spare(env)
        return float(json.loads(result.stdout.strip().splitlines()[-1])["wall"])

    with private_server(env):
        pairs = interleave(lambda: one("cold"), lambda: one("warm"), pairs=settings.pairs)
    return [
        compare(
            f"TUI ctrl+j to job_succeeded, transform_images, {TRANSFORM_LINES:,} lines",
            ("cold (ctrl+k)", "warm (ctrl+j)"),
            pairs,
            target=f"ratio <= {RATIO_LIMIT} (as dwh run --warm)",
            limit=RATIO_LIMIT,
            note="a headless TUI per run (Pilot), the key press to the console's "
            "job_succeeded; the server already runs; after each warm run, untimed, its spare "
            "session gets ready",
        )
    ]

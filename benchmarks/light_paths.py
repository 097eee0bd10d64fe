"""(3) Light paths against bare ``python -c pass``, and proof that pyspark is never imported.

Each path runs as a fresh process, as a user runs it: a ``has_spark false`` noop job
through the generic entry, ``dwh list`` and ``dwh validate``. One extra run of each
under ``python -X importtime`` lists what it imported: pyspark and py4j must be absent,
and the largest imports are reported (where the time goes).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.common import NOOP_RUN, REPO, Settings, bench_env, run_process
from benchmarks.harness import Row, difference, interleave

LIMIT = 0.15
DWH = [sys.executable, str(Path(sys.executable).with_name("dwh"))]
FILTER_CONFIG = REPO / "examples" / "configs" / "filter_images" / "demo.json"

PATHS: dict[str, list[str]] = {
    "noop job, has_spark false, through the entry": NOOP_RUN,
    "dwh list": [*DWH, "list"],
    "dwh validate filter_images": [*DWH, "validate", "filter_images", str(FILTER_CONFIG)],
}
BARE = [sys.executable, "-c", "pass"]
PYDANTIC_FLOOR = [
    sys.executable,
    "-c",
    "from pydantic import BaseModel\nclass Config(BaseModel):\n    x: int = 1\n"
    "Config.model_validate_json('{\"x\": 2}')",
]
"""Not a dwh path: the least any pydantic-validated config costs (import, one model
built, one validation), the floor under the noop run and ``dwh validate``."""


def import_profile(command: list[str], env: dict[str, str], top: int = 6) -> dict[str, object]:
    """Import the way ``command`` does, under ``-X importtime``: heavy modules and top costs."""
    result = run_process([command[0], "-X", "importtime", *command[1:]], env=env)
    cumulative: dict[str, int] = {}
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [p.strip() for p in line.split(":", 1)[1].split("|")]
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        name = parts[2]
        if "." not in name:  # a package's root: its cumulative time includes its children
            cumulative[name] = max(cumulative.get(name, 0), int(parts[1]))
    heavy = sorted(m for m in cumulative if m in ("pyspark", "py4j"))
    biggest = sorted(cumulative.items(), key=lambda kv: -kv[1])[:top]
    return {
        "heavy_imported": heavy,
        "top_imports_ms": {name: round(us / 1000, 1) for name, us in biggest},
    }


def run(settings: Settings) -> list[Row]:
    """One row per light path: its median wall minus bare Python's."""
    env = bench_env(settings.workdir / "home")
    rows = []
    for label, command in PATHS.items():
        pairs = interleave(
            lambda: run_process(BARE, env=env).wall,
            lambda command=command: run_process(command, env=env).wall,  # type: ignore[misc]
            pairs=settings.light_pairs,
            warmup=1,
        )
        profile = import_profile(command, env)
        never = not profile["heavy_imported"]
        tops = ", ".join(f"{k} {v} ms" for k, v in profile["top_imports_ms"].items())  # type: ignore[attr-defined]
        row = difference(
            f"light path: {label}",
            ("python -c pass", label.split(",")[0]),
            pairs,
            target=f"<= +{LIMIT} s, no pyspark",
            limit=LIMIT,
            note=f"pyspark imported: {'no' if never else 'YES'}; largest imports: {tops}",
        )
        row.met = bool(row.met) and never
        row.data["import_profile"] = profile
        rows.append(row)
    floor = interleave(
        lambda: run_process(BARE, env=env).wall,
        lambda: run_process(PYDANTIC_FLOOR, env=env).wall,
        pairs=settings.light_pairs,
        warmup=1,
    )
    rows.append(
        difference(
            "reference, not dwh: one pydantic model, imported, built and used",
            ("python -c pass", "pydantic alone"),
            floor,
            note="the floor under any path that validates a config with pydantic",
        )
    )
    return rows

"""``make demo``: generate raw data, run transform_images then filter_images, show metrics.

For each day, ``transform_images`` runs through the generic entry (the same code as
``spark-submit scripts/glue/generic_entry.py``), then ``filter_images`` runs as
triggered by it, with ``triggered_by_job`` and ``triggered_by_run_id`` filled in. Both
run on one local Spark session; their events go to ``<out>/events.jsonl``, from which
the metrics tables are printed. The second day repeats images of the first, so its
``duplicates_in_history`` is not zero.

Usage::

    python -m examples.demo [--out demo-data] [--size 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from dwh import entry
from dwh.events import Event
from dwh.run_context import new_run_id
from examples.generate_images import generate_batches, write_batches

DAYS = (dt.date(2026, 11, 24), dt.date(2026, 11, 25))
TIMEZONE = "America/Los_Angeles"
TRANSFORM = "dwh.jobs.transform_images.transform_images_job_factory"
FILTER = "dwh.jobs.filter_images.filter_images_job_factory"


def run_job(module: str, job: str, config: dict[str, Any], run_id: str, events: Path) -> None:
    """Run one job through the generic entry; stop the demo if it fails."""
    code = entry.main(
        [
            "--module_name",
            module,
            f"--{job}_job",
            json.dumps(config),
            "--has_spark",
            "true",
            "--run_id",
            run_id,
            "--events",
            str(events),
        ]
    )
    if code != 0:
        raise SystemExit(code)


def metrics_table(job: str, events: list[Event], columns: Sequence[str]) -> Table:
    """One row per successful run of ``job``."""
    table = Table(title=f"{job} metrics", title_justify="left")
    table.add_column("run_id", no_wrap=True)
    table.add_column("triggered by", no_wrap=True)
    for name in columns:
        table.add_column(name.replace("_", " "), justify="right")
    table.add_column("output", no_wrap=True)
    for event in events:
        if event.job != job or event.event != "job_succeeded":
            continue
        metrics = event.payload["metrics"]
        table.add_row(
            event.run_id,
            event.triggered_by_run_id or "-",
            *(f"{metrics[name]:,}" for name in columns),
            Path(metrics["output_path"]).name,
        )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo end to end."""
    parser = argparse.ArgumentParser(description="Run the image pipeline on generated data.")
    parser.add_argument("--out", type=Path, default=Path("demo-data"))
    parser.add_argument("--size", type=int, default=1000, help="raw lines per day")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a log, not a screen: don't squeeze the tables
    raw = write_batches(generate_batches(args.seed, args.size, DAYS), out / "raw")
    console.print(f"generated {args.size} raw lines per day for {len(DAYS)} days in {out}/raw")
    events = out / "events.jsonl"
    for day in DAYS:
        transform_run = new_run_id()
        transform_config = {
            "raw_path": str(raw[day]),
            "output_path": str(out / "transformed"),
        }
        run_job(TRANSFORM, "transform_images", transform_config, transform_run, events)
        filter_config = {
            "base_path": str(out / "filtered"),
            "timezone": TIMEZONE,
            "transform_output_path": str(out / "transformed"),
            "run_date": day.isoformat(),
            "triggered_by_job": "transform_images",
            "triggered_by_run_id": transform_run,
        }
        run_job(FILTER, "filter_images", filter_config, new_run_id(), events)
    seen = [Event.from_json(line) for line in events.read_text(encoding="utf-8").splitlines()]
    console.print(
        metrics_table("transform_images", seen, ("input_rows", "output_rows", "rejected_rows"))
    )
    console.print(
        metrics_table(
            "filter_images",
            seen,
            (
                "input_rows",
                "duplicates_in_batch",
                "duplicates_in_history",
                "output_rows",
            ),
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

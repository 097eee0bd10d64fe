"""``make demo``: generate raw data, run transform_images then filter_images, show metrics.

For each day, the trigger runner (:mod:`dwh.triggers`) runs ``transform_images``
through the generic entry in its own process (the same code as
``spark-submit scripts/glue/generic_entry.py``); its success starts ``filter_images``
as ``examples/triggers.json`` says, with ``transform_output_path`` taken from the
success event and ``triggered_by_job``/``triggered_by_run_id`` filled in. Their events
go to ``<out>/events.jsonl``, from which the metrics tables are printed, and to the
run store, where ``filter_images`` is a child of ``transform_images``. The second day
repeats images of the first, so its ``duplicates_in_history`` is not zero.

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

from rich.console import Console
from rich.table import Table

from dwh.events import Event
from dwh.services.publishers import JsonLinesPublisher
from dwh.triggers import run_with_triggers
from dwh.triggers.trigger_map import TriggerMap
from examples.generate_images import generate_batches, write_batches

DAYS = (dt.date(2026, 11, 24), dt.date(2026, 11, 25))
TIMEZONE = "America/Los_Angeles"
TRIGGERS = Path(__file__).with_name("triggers.json")


def day_triggers(out: Path, day: dt.date) -> TriggerMap:
    """``examples/triggers.json``, pointed at this demo's folder and the day to filter."""
    data = json.loads(TRIGGERS.read_text(encoding="utf-8"))
    for trigger in data["transform_images"]:
        if trigger["job"] == "filter_images":
            trigger["config"].update(
                base_path=str(out / "filtered"), timezone=TIMEZONE, run_date=day.isoformat()
            )
    return TriggerMap.from_dict(data, source=str(TRIGGERS))


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
    publisher = JsonLinesPublisher.open(str(events))
    for day in DAYS:
        transform_config = {"raw_path": str(raw[day]), "output_path": str(out / "transformed")}
        runs = run_with_triggers(
            "transform_images",
            transform_config,
            trigger_map=day_triggers(out, day),
            events=publisher,
        )
        failed = next((run for run in runs if not run.succeeded), None)
        if failed is not None:
            raise SystemExit(failed.exit_code or 1)
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

"""The ``dated`` test job: writes one file per date and logs the order dates ran in."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from dwh.jobs.abstract_job import AbstractJob, Metrics


def date_file(out_dir: str, run_date: dt.date) -> Path:
    """The file a date writes."""
    return Path(out_dir) / f"{run_date.isoformat()}.txt"


class DatedJob(AbstractJob):
    """Appends the date to ``order.log``, sleeps, then writes its file (or fails)."""

    def execute_job(
        self,
        run_date: dt.date,
        out_dir: str,
        label: str,
        fail_on: list[dt.date],
        sleep_seconds: float,
        **_: Any,
    ) -> Metrics:
        """Write ``<out_dir>/<run_date>.txt`` holding ``label``."""
        with self.phase("extract"):
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            with (Path(out_dir) / "order.log").open("a", encoding="utf-8") as log:
                log.write(f"{run_date.isoformat()} {os.getpid()}\n")
        with self.phase("transform"):
            time.sleep(sleep_seconds)
        with self.phase("load") as phase:
            if run_date in fail_on:
                raise RuntimeError(f"asked to fail on {run_date.isoformat()}")
            target = date_file(out_dir, run_date)
            target.write_text(label, encoding="utf-8")
            phase.rows = len(label)
        self.record_output("file", str(target))
        return {"output_rows": len(label), "run_date": run_date.isoformat()}

    def on_success(self, results: Metrics) -> None:
        """Nothing to do."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to do."""

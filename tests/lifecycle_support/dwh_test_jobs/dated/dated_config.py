"""Config of the ``dated`` test job: a date, where to write it, and dates to fail on."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from dwh.config import JobConfig


class DatedConfig(JobConfig):
    """One date's partition of a file-per-date output."""

    run_date: dt.date = Field(description="The date to write.")
    out_dir: str = Field(description="Folder of one file per date, plus order.log.")
    label: str = Field("x", description="Written into the date's file.")
    fail_on: list[dt.date] = Field(default_factory=list, description="Dates that fail.")
    sleep_seconds: float = Field(0.0, ge=0, description="Seconds to spend before writing.")

"""Config of the ``filter_images`` job."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from dwh.config import JobConfig


class FilterImagesConfig(JobConfig):
    """Where the transformed batch is, where filtered partitions go, and which day this is."""

    base_path: str = Field(
        min_length=1, description="Root of the filtered output, partitioned by year/month/day."
    )
    timezone: str = Field(
        description="IANA time zone that decides the run date, e.g. America/Los_Angeles."
    )
    transform_output_path: str = Field(
        min_length=1, description="The transform_images output to filter."
    )
    run_date: dt.date | None = Field(
        None, description="The partition to write (YYYY-MM-DD). Default: today in `timezone`."
    )
    lookback_days: int = Field(
        30, ge=0, description="Days of history to deduplicate against; 0 means all history."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA time zone {value!r}; "
                "use a name such as 'UTC' or 'America/Los_Angeles'"
            ) from None
        return value

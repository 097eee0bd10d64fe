"""Config of the ``noop`` job."""

from __future__ import annotations

from pydantic import Field

from dwh.config import JobConfig


class NoopConfig(JobConfig):
    """What the noop job should pretend to do."""

    message: str = Field("hello", description="Echoed back in the metrics.")
    sleep_seconds: float = Field(
        0.0, ge=0, le=3600, description="Seconds to spend in each of the three phases."
    )
    fail_with: str | None = Field(
        None, description="If set, the load phase raises RuntimeError with this message."
    )

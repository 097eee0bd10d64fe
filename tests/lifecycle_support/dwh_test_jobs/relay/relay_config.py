"""Config of the ``relay`` test job: a message to pass on, and a secret to keep hidden."""

from __future__ import annotations

from pydantic import Field

from dwh.config import JobConfig


class RelayConfig(JobConfig):
    """What the relay job passes on."""

    message: str = Field(description="Passed on in the metrics and as an output path.")
    api_token: str | None = Field(None, description="A secret: must never be shown.")
    connection: dict[str, str] = Field(
        default_factory=dict, description="Nested settings; secret-looking keys are hidden."
    )
    fail_with: str | None = Field(None, description="If set, the load phase raises this.")

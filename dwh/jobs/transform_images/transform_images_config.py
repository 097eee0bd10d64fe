"""Config of the ``transform_images`` job."""

from __future__ import annotations

from pydantic import Field

from dwh.config import JobConfig


class TransformImagesConfig(JobConfig):
    """Where the raw JSON lines are and where the transformed batch and rejects go."""

    raw_path: str = Field(
        min_length=1, description="A JSON-lines file, or a folder of them: one image per line."
    )
    output_path: str = Field(
        min_length=1,
        description="Where the transformed batch is written as parquet, replacing the last one.",
    )
    rejects_path: str | None = Field(
        None,
        min_length=1,
        description="Where lines that can't be transformed go. Default: output_path + '_rejects'.",
    )

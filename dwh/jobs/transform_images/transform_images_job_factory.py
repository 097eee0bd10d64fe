"""Validates and normalises raw image metadata (JSON lines) into a parquet batch.

Each line becomes one row (``image_id``, ``url``, ``content_hash``, ``width``,
``height``, ``captured_at`` as a UTC instant, ``camera``) or one reject with its
original text and a ``reject_reason``. The batch at ``output_path`` is replaced
atomically; ``filter_images`` usually runs next on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from dwh.checks import Check, not_null, unique
from dwh.jobs.abstract_job_factory import AbstractJobFactory
from dwh.jobs.transform_images.transform_images_config import TransformImagesConfig
from dwh.jobs.transform_images.transform_images_job import (
    TransformImagesJob,
    default_rejects_path,
)


class TransformImagesJobFactory(AbstractJobFactory[TransformImagesConfig]):
    """Wires :class:`TransformImagesJob` with the Spark line reader, parser and loader."""

    job_name = "transform_images"
    config_model = TransformImagesConfig
    output_checks: ClassVar[Mapping[str, Sequence[Check]]] = {
        "output_path": [
            unique("image_id"),
            not_null("image_id", "url", "content_hash", "width", "height", "captured_at"),
        ],
        "rejects_path": [not_null("raw", "reject_reason")],
    }

    def create_job(self, **kwargs: Any) -> TransformImagesJob:
        """Validate the config, then build the Spark services and the job."""
        self.parse_job_config(**kwargs)
        spark = self.get_spark_session()
        from dwh.jobs.transform_images.transform_images_transformer import (
            TransformImagesTransformer,
        )
        from dwh.services.loaders import ParquetLoader
        from dwh.services.readers import JsonLinesReader

        return TransformImagesJob(
            reader=JsonLinesReader(spark),
            transformer=TransformImagesTransformer(),
            loader=ParquetLoader(),
            **self.job_services(),
        )

    def output_paths(self, config: TransformImagesConfig) -> list[str]:
        """The batch and its rejects: one run at a time writes them."""
        return list(self.output_targets(config).values())

    def output_targets(self, config: TransformImagesConfig) -> dict[str, str]:
        """The batch and its rejects, by the names the job records."""
        rejects = config.rejects_path or default_rejects_path(config.output_path)
        return {"output_path": config.output_path, "rejects_path": rejects}

    def job_params(self, config: TransformImagesConfig) -> dict[str, Any]:
        """Every config field, with ``rejects_path`` defaulted from ``output_path``."""
        params = super().job_params(config)
        params["rejects_path"] = config.rejects_path or default_rejects_path(config.output_path)
        return params


def main(**kwargs: Any) -> Any:
    """Run transform_images (the factory module contract)."""
    return TransformImagesJobFactory(**kwargs).run(**kwargs)

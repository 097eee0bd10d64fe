"""The ``transform_images`` job: raw JSON lines in, clean image rows and rejects out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from dwh.errors import JobFailedError
from dwh.jobs.abstract_job import AbstractJob, Metrics

if TYPE_CHECKING:
    from dwh.services.protocols import Loader, Reader


class ImagesResult(Protocol):
    """What a transformer returns: the two outputs, and their counts once written."""

    images: Any
    rejects: Any

    def counts(self) -> dict[str, int]:
        """``input_rows``, ``output_rows`` and ``rejected_rows``; valid after the loads."""
        ...

    def release(self) -> None:
        """Free what the transform holds (a cache), whether the loads succeeded or not."""
        ...


class ImagesTransformer(Protocol):
    """Turns the raw lines into an :class:`ImagesResult`."""

    def transform(self, raw: Any) -> ImagesResult:
        """Parse every line into an image row or a reject row."""
        ...


def default_rejects_path(output_path: str) -> str:
    """Return where rejects go when the config does not say: ``output_path + '_rejects'``."""
    return output_path.rstrip("/") + "_rejects"


class TransformImagesJob(AbstractJob):
    """Validates and normalises raw image metadata; keeps every bad line with its reason.

    Args:
        reader: Reads the raw lines (one row per line).
        transformer: :class:`~.transform_images_transformer.TransformImagesTransformer`
            on Spark, :class:`~.transform_images_local.LocalImagesTransformer` without.
        loader: Writes each output whole or not at all.
        **services: Context, publisher and secrets (see :class:`AbstractJob`).
    """

    def __init__(
        self, *, reader: Reader, transformer: ImagesTransformer, loader: Loader, **services: Any
    ) -> None:
        super().__init__(**services)
        self.reader = reader
        self.transformer = transformer
        self.loader = loader

    def execute_job(
        self, raw_path: str, output_path: str, rejects_path: str | None = None
    ) -> Metrics:
        """EXTRACT the lines, TRANSFORM them, LOAD the rejects and then the batch.

        The rejects are committed first, so whenever a new batch is visible, the lines
        it left out are too.

        Raises:
            JobFailedError: The counts do not add up: lines were lost.
        """
        rejects_path = rejects_path or default_rejects_path(output_path)
        with self.phase("extract"):
            raw = self.reader.read(raw_path)
        self.record_input("raw_path", raw_path)
        with self.phase("transform"):
            result = self.transformer.transform(raw)
        try:
            with self.phase("load") as phase:
                self.loader.load(result.rejects, rejects_path)
                self.loader.load(result.images, output_path)
                counts: dict[str, int] = result.counts()
                phase.rows = counts["output_rows"]
        finally:
            result.release()
        if counts["input_rows"] != counts["output_rows"] + counts["rejected_rows"]:
            raise JobFailedError(f"lines were lost: {counts} do not add up")
        self.record_output("output_path", output_path, result.images)
        self.record_output("rejects_path", rejects_path, result.rejects)
        return {
            **counts,
            "output_path": output_path,
            "rejects_path": rejects_path,
            "run_id": self.context.run_id,
        }

    def on_success(self, results: Metrics) -> None:
        """Nothing beyond the framework's ``job_succeeded`` event."""

    def on_failure(self, error_message: str) -> None:
        """Nothing to clean up: the loader never leaves a partial output visible."""

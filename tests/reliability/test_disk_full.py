"""A disk that fills up mid-write: a clean failure, on_failure ran, nothing partial.

The real :class:`~dwh.services.loaders.ParquetLoader` stages and commits; only its
``write`` is replaced, by one that writes a part file into the staging folder and then
raises ``OSError(ENOSPC)``, as a full disk does halfway through a Spark write.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from dwh.jobs.abstract_job import Metrics
from dwh.jobs.transform_images.transform_images_job import TransformImagesJob
from dwh.jobs.transform_images.transform_images_local import LocalImagesTransformer
from dwh.services.loaders import ParquetLoader
from dwh.testing import InMemoryReader, RecordingEventPublisher

GOOD = json.dumps(
    {
        "image_id": "img-1",
        "url": "https://a.example/1.jpg",
        "sha256": "a" * 64,
        "width": 10,
        "height": 20,
        "captured_at": "2026-11-24T23:30:00Z",
    }
)


class JsonLoader(ParquetLoader):
    """Writes rows as one JSON file; fails with ENOSPC after half of it on ``full_at``."""

    def __init__(self, full_at: str | None = None) -> None:
        super().__init__()
        self.full_at = full_at

    def write(self, frame: Any, path: str) -> None:
        Path(path).mkdir()
        text = json.dumps(frame, default=str)
        if self.full_at is not None and Path(path).name.startswith(f".{self.full_at}."):
            (Path(path) / "part-0.json").write_text(text[: len(text) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        (Path(path) / "part-0.json").write_text(text)


class Job(TransformImagesJob):
    failures: list[str]

    def on_failure(self, error_message: str) -> None:
        self.failures.append(error_message)

    def on_success(self, results: Metrics) -> None:
        pass


def run(
    tmp_path: Path, lines: list[str], loader: JsonLoader
) -> tuple[Job, RecordingEventPublisher]:
    publisher = RecordingEventPublisher()
    job = Job(
        reader=InMemoryReader({"raw": lines}),
        transformer=LocalImagesTransformer(),
        loader=loader,
        publisher=publisher,
    )
    job.failures = []
    job.run(raw_path="raw", output_path=str(tmp_path / "batch"))
    return job, publisher


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("full_at", ["batch_rejects", "batch"])
def test_a_full_disk_fails_the_run_cleanly_and_keeps_the_last_outputs(
    tmp_path: Path, full_at: str
) -> None:
    run(tmp_path, [GOOD, "{oops"], JsonLoader())
    before = snapshot(tmp_path)

    with pytest.raises(OSError) as caught:
        run(tmp_path, [GOOD.replace("img-1", "img-2"), "{new"], JsonLoader(full_at=full_at))

    assert caught.value.errno == errno.ENOSPC
    after = snapshot(tmp_path)
    staging = [p for p in tmp_path.iterdir() if p.name.startswith(".") and "previous" not in p.name]
    assert not staging, "no staging left (a committed output keeps its hidden previous version)"
    assert after["batch/part-0.json"] == before["batch/part-0.json"], "the last batch is intact"
    # A run publishes all its outputs or none: the rejects staged before the full disk
    # hit the batch are removed with it (dwh.services.publication).
    assert after == before


def test_on_failure_runs_and_job_failed_names_the_full_disk(tmp_path: Path) -> None:
    publisher = RecordingEventPublisher()
    job = Job(
        reader=InMemoryReader({"raw": [GOOD]}),
        transformer=LocalImagesTransformer(),
        loader=JsonLoader(full_at="batch"),
        publisher=publisher,
    )
    job.failures = []
    with pytest.raises(OSError):
        job.run(raw_path="raw", output_path=str(tmp_path / "batch"))
    assert len(job.failures) == 1 and "No space left on device" in job.failures[0]
    assert publisher.names[-1] == "job_failed"
    assert not (tmp_path / "batch").exists()

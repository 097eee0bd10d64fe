"""transform_images without a JVM: the job with fakes and the plain-Python engine."""

from __future__ import annotations

import json

import pytest

from dwh.errors import ConfigError
from dwh.jobs.transform_images.transform_images_job import TransformImagesJob
from dwh.jobs.transform_images.transform_images_job_factory import TransformImagesJobFactory
from dwh.jobs.transform_images.transform_images_local import LocalImagesTransformer
from dwh.testing import InMemoryReader, RecordingEventPublisher, RecordingLoader

GOOD = json.dumps(
    {
        "image_id": "img-1",
        "url": "https://a.example/1.jpg",
        "sha256": "a" * 64,
        "width": 10,
        "height": 20,
        "captured_at": "2026-11-24T23:30:00-08:00",
    }
)
LINES = [GOOD, "{oops", GOOD.replace('"width": 10', '"width": 0')]


def make_job(loader: RecordingLoader, publisher: RecordingEventPublisher) -> TransformImagesJob:
    return TransformImagesJob(
        reader=InMemoryReader({"raw/": LINES}),
        transformer=LocalImagesTransformer(),
        loader=loader,
        publisher=publisher,
    )


def test_metrics_add_up_and_rejects_are_committed_before_the_batch() -> None:
    loader, publisher = RecordingLoader(), RecordingEventPublisher()
    metrics = make_job(loader, publisher).run(raw_path="raw/", output_path="out")
    assert metrics["input_rows"] == 3
    assert metrics["output_rows"] == 1
    assert metrics["rejected_rows"] == 2
    assert loader.paths == ["out_rejects", "out"]
    rejects, images = loader.loads[0][0], loader.loads[1][0]
    assert [r["reject_reason"] for r in rejects] == ["invalid_json", "invalid_width"]
    assert [r["raw"] for r in rejects] == LINES[1:]
    assert [r["image_id"] for r in images] == ["img-1"]
    succeeded = publisher.of("job_succeeded")[0].payload
    assert succeeded["outputs"] == {"output_path": "out", "rejects_path": "out_rejects"}
    assert succeeded["inputs"] == {"raw_path": "raw/"}
    assert "output_schemas" not in succeeded  # plain Python rows have no schema to report


def test_a_failing_load_fails_the_run_and_publishes_job_failed() -> None:
    loader = RecordingLoader(fail_with=OSError(28, "No space left on device"))
    publisher = RecordingEventPublisher()
    with pytest.raises(OSError):
        make_job(loader, publisher).run(raw_path="raw/", output_path="out")
    assert publisher.names[-1] == "job_failed"
    assert "No space left" in publisher.of("job_failed")[0].payload["error_message"]


def test_rejects_path_defaults_next_to_output_path() -> None:
    config = {"raw_path": "raw", "output_path": "s3://b/out/"}
    factory = TransformImagesJobFactory(transform_images_job=json.dumps(config))
    params = factory.job_params(factory.parse_job_config(transform_images_job=config))
    assert params["rejects_path"] == "s3://b/out_rejects"


def test_unknown_config_key_is_refused_with_a_suggestion() -> None:
    factory = TransformImagesJobFactory()
    with pytest.raises(ConfigError, match="did you mean 'output_path'"):
        factory.parse_job_config(transform_images_job={"raw_path": "r", "output_pth": "o"})

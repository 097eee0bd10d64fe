"""``dwh check`` warns about jobs that cannot run warm, without failing them."""

from __future__ import annotations

from pathlib import Path

from dwh.devtools.check import check_jobs
from dwh.devtools.connect_lint import classic_only_uses
from dwh.registry import JobInfo


def _job(folder: Path, body: str) -> JobInfo:
    folder.mkdir(parents=True)
    factory = folder / "legacy_job_factory.py"
    factory.write_text('"""A job."""\n')
    (folder / "legacy_job.py").write_text(body)
    return JobInfo("legacy", "pkg", "pkg.legacy.legacy_job_factory", factory, "A job.")


def test_spark_context_and_rdd_are_found_with_their_lines(tmp_path: Path) -> None:
    job = _job(
        tmp_path / "legacy",
        "def run(spark, frame):\n"
        "    sc = spark.sparkContext\n"
        "    return frame.rdd.map(len)\n"
        "# spark.sparkContext in a comment is fine\n",
    )

    found = [(path.name, line, attr) for path, line, attr in classic_only_uses(job)]

    assert found == [("legacy_job.py", 2, "sparkContext"), ("legacy_job.py", 3, "rdd")]


def test_the_shipped_jobs_can_all_run_warm() -> None:
    report = check_jobs()
    assert report.warnings == []
    assert report.to_dict()["warnings"] == []

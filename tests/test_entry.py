"""The generic entry: argument parsing, module loading rules, exit codes and error lines."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dwh.entry import check_module_name, main, parse_invocation
from dwh.errors import ModuleRefusedError, UsageError

REPO = Path(__file__).resolve().parents[1]
GLUE_ENTRY = REPO / "scripts" / "glue" / "generic_entry.py"
NOOP = "dwh.jobs.noop.noop_job_factory"


@pytest.fixture
def acme_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A job package ``acmejobs`` with a module lacking main and one that raises on import."""
    package = tmp_path / "acmejobs"
    for name, body in {
        "nomain": '"""No main here."""\nVALUE = 1\n',
        "boom": '"""Raises on import."""\nraise RuntimeError("cannot reach the metastore")\n',
    }.items():
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("")
        (package / name / f"{name}_job_factory.py").write_text(body)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("DWH_JOB_PACKAGES", "dwh.jobs,acmejobs")
    yield tmp_path
    for module in [m for m in sys.modules if m.startswith("acmejobs")]:
        del sys.modules[module]


def run_entry(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    return code, err


def verdict(stderr: str) -> str:
    """The entry's own line; the default alert sink may add a "dwh: alert:" line before it."""
    lines = [line for line in stderr.splitlines() if not line.startswith("dwh: alert: ")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_success_exits_0_and_reports_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_entry(
        capsys,
        "--module_name",
        NOOP,
        "--noop_job",
        '{"message": "hi"}',
        "--has_spark",
        "false",
        "--run_id",
        "r-1",
    )
    assert code == 0
    assert re.fullmatch(
        r"dwh: job 'noop' succeeded in \d+\.\ds job time, \d+\.\ds process wall \(run r-1\): \{\"message\": \"hi\", \"phases\": 3\}\n",
        err,
    )


def test_job_failure_exits_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_entry(capsys, "--module_name", NOOP, "--noop_job", '{"fail_with": "disk full"}')
    assert code == 1
    assert verdict(err) == "dwh: job 'noop' failed: RuntimeError: disk full"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--noop_job", "{}"],
            "missing --module_name (for example dwh.jobs.<job>.<job>_job_factory)",
        ),
        (
            ["--module_name", NOOP, "--noop_job", "{"],
            "invalid config for job 'noop': config is not valid JSON",
        ),
        (
            ["--module_name", NOOP],
            "invalid config for job 'noop': no config given: pass --noop_job '<json>'",
        ),
        (
            ["--module_name", NOOP, "--noop_job", '{"mesage": "x"}'],
            "unknown key 'mesage': did you mean 'message'?",
        ),
        (
            ["--module_name", NOOP, "--noop_job", '{"sleep_seconds": "1"}'],
            "'sleep_seconds': Input should be a valid number",
        ),
        (
            ["--module_name", NOOP, "--noop_job", "{}", "--has_spark", "maybe"],
            "--has_spark must be true or false, got 'maybe'",
        ),
        (
            ["--module_name", NOOP, "--noop_job", "{}", "--noop_job", "{}"],
            "--noop_job is given twice",
        ),
        (["--module_name", NOOP, "--noop_job"], "--noop_job needs a value"),
        (["--module_name", NOOP, "--noop_jobs", "{}"], "unexpected argument --noop_jobs"),
        (["--module_name", NOOP, "--filter_images_job", "{}"], "takes its config as --noop_job"),
        (
            ["--module_name", "os", "--os_job", "{}"],
            "--module_name 'os' is outside the allowed packages (dwh.jobs.*)",
        ),
        (["--module_name", "subprocess"], "is outside the allowed packages"),
        (["--module_name", "dwh.jobsx.evil"], "is outside the allowed packages"),
        (["--module_name", "dwh.jobs"], "is outside the allowed packages"),
        (["--module_name", "/tmp/evil.py"], "invalid --module_name '/tmp/evil.py'"),
        (["--module_name", "dwh.jobs..noop"], "invalid --module_name 'dwh.jobs..noop'"),
        (
            ["--module_name", "dwh.jobs.noop.noop_job_factor\u0443"],  # a Cyrillic look-alike "y"
            "invalid --module_name",
        ),
        (
            ["--module_name", "dwh.jobs.nope.nope_job_factory"],
            "no job module named dwh.jobs.nope.nope_job_factory; did you mean dwh.jobs.noop.noop_job_factory?",
        ),
        (
            ["--module_name", "dwh.jobs.noop.noop_job", "--noop_job", "{}"],
            "job module dwh.jobs.noop.noop_job has no main(**kwargs) function",
        ),
        (
            [
                "--module_name",
                "dwh.jobs.filter_images.filter_images_job_factory",
                "--filter_images_job",
                "{}",
                "--has_spark",
                "false",
            ],
            "needs Spark: pass --has_spark true",
        ),
    ],
)
def test_invalid_invocations_exit_2_with_one_clear_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, err = run_entry(capsys, *argv)

    assert code == 2
    assert err.startswith("dwh: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_module_without_main_is_refused(
    acme_jobs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_entry(capsys, "--module_name", "acmejobs.nomain.nomain_job_factory")
    assert code == 2
    assert (
        err
        == "dwh: error: job module acmejobs.nomain.nomain_job_factory has no main(**kwargs) function\n"
    )


def test_module_that_raises_on_import(acme_jobs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_entry(capsys, "--module_name", "acmejobs.boom.boom_job_factory")
    assert code == 2
    assert err == (
        "dwh: error: job module acmejobs.boom.boom_job_factory failed to import: "
        "RuntimeError: cannot reach the metastore\n"
    )


def test_allowed_packages_can_be_given_on_the_command_line(
    acme_jobs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_entry(
        capsys, "--module_name", "acmejobs.nomain.nomain_job_factory", "--job_packages", "dwh.jobs"
    )
    assert code == 2
    assert "outside the allowed packages (dwh.jobs.*)" in err


def test_glue_arguments_are_tolerated_and_its_run_id_is_used(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run_entry(
        capsys,
        "--JOB_ID",
        "j_123",
        "--JOB_RUN_ID",
        "jr_abc",
        "--JOB_NAME",
        "nightly",
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--TempDir",
        "s3://tmp/x",
        "--enable-glue-datacatalog",
        "true",
        "--module_name",
        NOOP,
        "--noop_job",
        "{}",
        "--has_spark",
        "false",
    )
    assert code == 0
    assert "(run jr_abc)" in err


def test_databricks_named_parameters_use_equals_signs(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run_entry(
        capsys, f"--module_name={NOOP}", '--noop_job={"message": "db"}', "--run_id=42"
    )
    assert code == 0
    assert '(run 42): {"message": "db"' in err


def test_events_stream_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.jsonl"
    code, _ = run_entry(capsys, "--module_name", NOOP, "--noop_job", "{}", "--events", str(events))

    assert code == 0
    names = [json.loads(line)["event"] for line in events.read_text().splitlines()]
    assert names == [
        "job_started",
        "phase_finished",
        "phase_finished",
        "phase_finished",
        "job_succeeded",
    ]


def test_secret_config_values_never_reach_the_error_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run_entry(
        capsys,
        "--module_name",
        NOOP,
        "--noop_job",
        '{"fail_with": "auth failed: hunter2", "api_key": "hunter2"}',
    )
    # api_key is an unknown key for noop, so this is a config error; its value is never echoed.
    assert code == 2
    assert "hunter2" not in err


def test_parse_invocation_builds_main_kwargs() -> None:
    invocation = parse_invocation(
        [
            "--module_name",
            NOOP,
            "--noop_job",
            "{}",
            "--has_spark",
            "false",
            "--run_id",
            "x",
            "--JOB_NAME",
            "n",
        ]
    )
    assert invocation.kwargs == {
        "module_name": NOOP,
        "noop_job": "{}",
        "has_spark": "false",
        "run_id": "x",
    }
    assert invocation.ignored == ["--JOB_NAME", "n"]


def test_both_config_spellings_at_once_are_refused() -> None:
    with pytest.raises(UsageError, match="give the config once"):
        parse_invocation(["--module_name", NOOP, "--noop_job", "{}", "--job_config", "{}"])


def test_check_module_name_needs_a_package_boundary() -> None:
    check_module_name("dwh.jobs.noop.noop_job_factory", ["dwh.jobs"])
    with pytest.raises(ModuleRefusedError):
        check_module_name("dwh.jobs_evil.x", ["dwh.jobs"])


# Real processes, the way production runs the entry.


def entry_process(
    *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GLUE_ENTRY), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


def test_process_exit_codes_0_1_2() -> None:
    ok = entry_process("--module_name", NOOP, "--noop_job", "{}", "--has_spark", "false")
    failed = entry_process("--module_name", NOOP, "--noop_job", '{"fail_with": "boom"}')
    invalid = entry_process("--module_name", "os")

    assert (ok.returncode, failed.returncode, invalid.returncode) == (0, 1, 2)
    assert verdict(failed.stderr) == "dwh: job 'noop' failed: RuntimeError: boom"
    assert invalid.stderr.startswith("dwh: error: --module_name 'os' is outside")
    assert ok.stdout == failed.stdout == invalid.stdout == ""


def test_process_debug_prints_the_traceback() -> None:
    failed = entry_process("--module_name", NOOP, "--noop_job", '{"fail_with": "boom"}', "--debug")

    assert failed.returncode == 1
    assert "Traceback (most recent call last)" in failed.stderr
    assert failed.stderr.rstrip().endswith("dwh: job 'noop' failed: RuntimeError: boom")


def test_process_sigterm_cancels_and_runs_on_failure(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(GLUE_ENTRY),
            "--module_name",
            NOOP,
            "--noop_job",
            '{"sleep_seconds": 30}',
            "--events",
            str(events),
        ],
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    for _ in range(200):  # wait until the job has started
        if events.exists() and "job_started" in events.read_text():
            break
        proc.wait(timeout=0.05) if proc.poll() is not None else __import__("time").sleep(0.05)
    proc.terminate()
    _, err = proc.communicate(timeout=30)

    assert proc.returncode == 130
    assert verdict(err) == "dwh: job 'noop' was cancelled"
    last = json.loads(events.read_text().splitlines()[-1])
    assert last["event"] == "job_failed"
    assert last["cancelled"] is True


@pytest.mark.parametrize("given", ["inline", "from a file"])
def test_the_success_line_hides_secret_values(
    given: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from lifecycle_support import SUPPORT_DIR, TEST_JOB_PACKAGES

    monkeypatch.syspath_prepend(str(SUPPORT_DIR))
    monkeypatch.setenv("DWH_JOB_PACKAGES", TEST_JOB_PACKAGES)
    # The relay job echoes its message in its metrics; here the message is the token itself.
    config = json.dumps({"message": "tok-123", "api_token": "tok-123"})
    if given == "from a file":
        (tmp_path / "relay.json").write_text(config)
        config = f"@{tmp_path / 'relay.json'}"

    code, err = run_entry(
        capsys, "--module_name", "dwh_test_jobs.relay.relay_job_factory", "--relay_job", config
    )

    assert code == 0
    assert "succeeded" in err
    assert "tok-123" not in err

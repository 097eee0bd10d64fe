"""``dwh check``: every rule, caught in fixture modules, with file and line.

Each fixture job under ``fixtures/contract_jobs/badjobs`` breaks one rule, and every
line at fault carries a ``# violation: <rule>`` comment. The check must report exactly
those lines, plus the two bad keys of the ``bad_example`` example config and the stale
default config of its notebook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from dwh.devtools.check import RULES, check_jobs
from dwh.registry import discover_jobs

PREFIX = "importing badjobs.side_effects.side_effects_job_factory "
MARKER = re.compile(r"# violation: ([a-z-]+)")


def marked_lines(root: Path) -> set[tuple[str, str, int, str]]:
    found = set()
    for path in sorted((root / "badjobs").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for rule in MARKER.findall(line):
                found.add((path.parent.name, str(path), number, rule))
    return found


def test_check_reports_every_marked_violation_and_nothing_else(contract_jobs: Path) -> None:
    report = check_jobs(discover_jobs())

    reported = {(v.job, v.path, v.line, v.rule) for v in report.violations}
    example = str(contract_jobs / "examples" / "configs" / "bad_example" / "example.json")
    notebook = str(contract_jobs / "notebooks" / "bad_example.ipynb")
    expected = marked_lines(contract_jobs) | {
        ("bad_example", example, 2, "example"),
        ("bad_example", example, 3, "example"),
        ("bad_example", notebook, 1, "notebook"),
    }
    assert reported == expected
    assert {rule for _, _, _, rule in expected} == set(RULES), "a fixture for every rule"
    assert "good" in report.jobs and not [v for v in report.violations if v.job == "good"]


def test_check_messages_say_what_to_fix(contract_jobs: Path) -> None:
    messages = {v.job: v.message for v in check_jobs(discover_jobs()).violations}

    assert messages["no_main"] == "the factory module has no main(**kwargs) function"
    assert messages["missing_hook"] == "MissingHookJob does not implement on_failure()"
    assert "overrides run(), which is final" in messages["overrides_run"]
    assert "it must be the folder name 'wrong_job_name'" in messages["wrong_job_name"]
    assert "ended the checking interpreter (exit code 3" in messages["dies_on_import"]
    assert "RuntimeError: no database at import time" in messages["import_error"]
    assert "did you mean 'name'" in " ".join(
        v.message for v in check_jobs(discover_jobs()).violations if v.job == "bad_example"
    )


def test_side_effects_are_each_pinned_to_their_line(contract_jobs: Path) -> None:
    jobs = [job for job in discover_jobs() if job.name == "side_effects"]

    messages = sorted(v.message.removeprefix(PREFIX) for v in check_jobs(jobs).violations)

    assert messages == [
        "changes the environment",
        "imports pyspark (import it inside functions, or under TYPE_CHECKING)",
        "prints to stdout: 'connecting...'",
        "starts a thread (Thread-1 (<lambda>))",
        "writes the file side_effect.txt",
    ]
    assert not (contract_jobs / "side_effect.txt").exists(), "imports run in a scratch folder"


def test_dwh_check_prints_file_and_line_and_exits_1(invoke, contract_jobs: Path) -> None:
    result = invoke("check", "missing_hook", "good")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "✗ badjobs/missing_hook/missing_hook_job.py:10: [job] missing_hook: "
        "MissingHookJob does not implement on_failure()"
    )
    assert lines[-1] == "1 violations in 1 of 2 jobs: missing_hook"


def test_dwh_check_json(invoke, contract_jobs: Path) -> None:
    result = invoke("check", "no_main", "--json")

    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert data["ok"] is False and data["jobs"] == ["no_main"]
    assert data["violations"][0]["rule"] == "main" and data["violations"][0]["line"] == 1


def test_the_real_jobs_keep_the_contract(invoke) -> None:
    result = invoke("check")

    assert result.exit_code == 0, result.stdout
    assert "jobs keep the contract" in result.stdout
    for name in ("noop", "filter_images", "transform_images"):
        assert name in result.stdout


def test_check_an_unknown_job_exits_2(invoke) -> None:
    result = invoke("check", "no_such_job")

    assert result.exit_code == 2
    assert "unknown job 'no_such_job'" in result.stderr

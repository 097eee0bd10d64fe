"""``dwh check``: verify that every registered job keeps the framework contract.

For each job it checks, and reports every violation with a file and a line:

- ``main``: the factory module exposes ``main(**kwargs)``;
- ``factory``: a class there subclasses ``AbstractJobFactory``, implements
  ``create_job``, names its job after its folder and has a ``JobConfig`` model;
- ``job``: the job module ``<job>_job.py`` has an ``AbstractJob`` subclass that
  implements ``execute_job``, ``on_success`` and ``on_failure``;
- ``run-override``: no job overrides the final ``AbstractJob.run``;
- ``config-schema``: the config model exports a JSON Schema;
- ``example``: every ``examples/configs/<job>/*.json`` validates;
- ``notebook``: every ``notebooks/*.ipynb`` that runs the job has a default
  ``job_config`` (in its ``parameters`` cell) that validates, or none, and its markdown
  shows no config field the model does not have (``-p job_config '{...}'``, ``-y``);
- ``import``: the modules import without error and without side effects (printing,
  importing pyspark, writing files, starting threads or processes, opening sockets,
  changing the environment or ``sys.path``);
- ``job-import``: no module of the job imports another job, in any job package
  (shared code goes in ``<package>/_shared/``; :mod:`dwh.devtools.job_imports`).

It also warns, without failing, about ``classic-only`` code: ``.sparkContext`` or
``.rdd`` in a job's folder, which cannot run warm (:mod:`dwh.devtools.connect_lint`).

Importing job code is exactly what is being checked, so it happens in a child
interpreter (:mod:`dwh.devtools._probe`) with a scratch working directory: the checking
process never imports a job module, pyspark or anything a job drags in, and a module
that hangs or kills its interpreter is reported rather than taking ``dwh check`` down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dwh.errors import JobContractError
from dwh.registry import JobInfo, discover_jobs, examples_dir

RULES: dict[str, str] = {
    "main": "the factory module exposes main(**kwargs)",
    "factory": "the factory subclasses AbstractJobFactory and implements create_job",
    "job": "the job subclasses AbstractJob and implements the three hooks",
    "run-override": "the job does not override the final AbstractJob.run",
    "config-schema": "the config model is a JobConfig and exports a JSON Schema",
    "example": "every example config validates",
    "notebook": "every notebook's default job_config validates; its text names real fields",
    "import": "the modules import without errors or side effects",
    "job-import": "the job imports no other job (shared code goes in <package>/_shared/)",
}
"""Every rule ``dwh check`` applies, by the name violations carry."""

DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class Violation:
    """One broken rule, where it is broken.

    Attributes:
        job: The job name.
        rule: One of :data:`RULES`.
        path: The file to fix.
        line: The line in it (1 when the whole file is at fault).
        message: What is wrong and what to do.
    """

    job: str
    rule: str
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.job}: {self.message}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Violation:
        """Build a violation from its JSON form."""
        return cls(
            job=str(data["job"]),
            rule=str(data["rule"]),
            path=str(data["path"]),
            line=int(data["line"]),
            message=str(data["message"]),
        )


@dataclass
class CheckReport:
    """The outcome of checking a set of jobs.

    Attributes:
        jobs: The names of the jobs checked.
        violations: Every violation found, by job, file and line.
    """

    jobs: list[str]
    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no job broke any rule."""
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form of the report."""
        return {
            "ok": self.ok,
            "jobs": self.jobs,
            "violations": [asdict(violation) for violation in self.violations],
            "warnings": [asdict(warning) for warning in self.warnings],
        }


def check_jobs(
    jobs: Sequence[JobInfo] | None = None,
    *,
    examples: Path | None = None,
    notebooks: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> CheckReport:
    """Check the contract of ``jobs`` (default: every registered job) in a child interpreter.

    Args:
        jobs: The jobs to check.
        examples: The examples folder holding ``configs/<job>/*.json``.
        notebooks: The notebooks folder (default: ``notebooks`` beside ``examples``).
        timeout: Seconds the whole check may take; a module that hangs on import
            is reported as an ``import`` violation.

    Raises:
        JobContractError: The child interpreter could not run at all.
    """
    selected = list(discover_jobs() if jobs is None else jobs)
    report = CheckReport(jobs=[job.name for job in selected])
    folder = str((examples or examples_dir()).resolve())
    notebook_folder = str((notebooks or Path(folder).parent / "notebooks").resolve())
    remaining = selected
    while remaining:
        lines, failure = _run_probe(remaining, folder, timeout, notebook_folder)
        found, stopped_at = _read_results(lines)
        report.violations.extend(found)
        if failure is None:
            break
        if stopped_at is None:
            raise JobContractError(f"the contract check could not start: {failure}")
        job = next(j for j in remaining if j.name == stopped_at)
        report.violations.append(
            Violation(job.name, "import", str(job.path), 1, f"importing {job.module} {failure}")
        )
        # Check the jobs after the one that took the interpreter down.
        remaining = remaining[remaining.index(job) + 1 :]
    report.violations.extend(_cross_job_imports(selected))
    report.warnings.extend(_classic_only_warnings(selected))
    return report


def _cross_job_imports(jobs: Sequence[JobInfo]) -> list[Violation]:
    from dwh.devtools.job_imports import RULE, cross_job_imports

    everyone = [*discover_jobs(), *jobs]
    return _source_findings(
        jobs,
        RULE,
        lambda job: cross_job_imports(job, everyone),
        lambda job, module: (
            f"imports {module}, another job: jobs never import each other; "
            f"move the shared code to {job.package}._shared"
        ),
    )


def _classic_only_warnings(jobs: Sequence[JobInfo]) -> list[Violation]:
    from dwh.devtools.connect_lint import RULE, classic_only_uses

    return _source_findings(
        jobs,
        RULE,
        classic_only_uses,
        lambda job, attribute: (
            f"uses .{attribute}, which Spark Connect lacks: this job "
            "cannot run warm (dwh run --warm); it still runs cold"
        ),
    )


def _source_findings(
    jobs: Sequence[JobInfo],
    rule: str,
    find: Callable[[JobInfo], list[tuple[Path, int, str]]],
    message: Callable[[JobInfo, str], str],
) -> list[Violation]:
    """One violation per ``(file, line, what)`` that ``find`` reads in a job's source."""
    return [
        Violation(job.name, rule, str(path), line, message(job, what))
        for job in jobs
        for path, line, what in find(job)
    ]


def _run_probe(
    jobs: list[JobInfo], examples: str, timeout: float, notebooks: str | None = None
) -> tuple[list[str], str | None]:
    """Run the probe; return its result lines and, if it died, how."""
    request = {
        "jobs": [{"name": j.name, "module": j.module, "path": str(j.path)} for j in jobs],
        "examples": examples,
        "notebooks": notebooks,
    }
    with tempfile.TemporaryDirectory(prefix="dwh-check-") as scratch:
        work = Path(scratch, "cwd")
        work.mkdir()
        request_path = Path(scratch, "request.json")
        result_path = Path(scratch, "result.jsonl")
        request_path.write_text(json.dumps(request), encoding="utf-8")
        command = [sys.executable, "-m", "dwh.devtools._probe", str(request_path), str(result_path)]
        failure: str | None = None
        try:
            proc = subprocess.run(
                command,
                cwd=work,
                env=_probe_env(),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if proc.returncode != 0:
                tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
                failure = f"ended the checking interpreter (exit code {proc.returncode}: {tail[0]})"
        except subprocess.TimeoutExpired:
            failure = f"did not finish within {timeout:.0f}s"
        lines = result_path.read_text(encoding="utf-8").splitlines() if result_path.exists() else []
    return lines, failure


def _probe_env() -> dict[str, str]:
    # The child must see the same modules as this process (tests put job packages on
    # sys.path), and must not leave __pycache__ behind in job folders.
    env = dict(os.environ)
    paths = [p for p in sys.path if p and Path(p).exists()]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _read_results(lines: list[str]) -> tuple[list[Violation], str | None]:
    """Return the violations, and the job being checked when the output stops, if any."""
    violations: list[Violation] = []
    current: str | None = None
    for line in lines:
        record = json.loads(line)
        if record["kind"] == "start":
            current = record["job"]
        elif record["kind"] == "violation":
            violations.append(Violation.from_dict(record))
        elif record["kind"] == "done":
            current = None
    return violations, current

"""Every invocation in docs/production.md, run here as the platform would run it.

The JSON and shell blocks are read from the page itself, so the docs cannot drift from
what works. ``s3://my-bucket/dwh/`` becomes the artifacts ``dwh package`` just built;
the entry script is copied alone into a scratch folder; the interpreter has the
third-party dependencies but cannot see this repository, so all job code comes from
the artifact the platform would be given (the zip on the Python path for Glue and
EMR, the installed wheel for Databricks and the container).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "production.md"
BUCKET = "s3://my-bucket/dwh/"
NOOP = "dwh.jobs.noop.noop_job_factory"


def blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def json_block(key: str) -> Any:
    found = [json.loads(b) for b in blocks("json") if f'"{key}"' in b]
    assert len(found) == 1, f"docs/production.md has one JSON block with {key!r}"
    return found[0]


class Platform:
    """Built artifacts and two clean interpreters: one bare, one with the wheel installed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        built = subprocess.run(
            [
                str(Path(sys.executable).parent / "dwh"),
                "package",
                "--dist",
                str(root / "dist"),
                "--json",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        report = json.loads(built.stdout)
        self.zip, self.wheel = Path(report["zip"]), Path(report["wheel"])
        self.bare = self._venv(root / "bare")
        self.installed = self._venv(root / "installed")
        with zipfile.ZipFile(self.wheel) as wheel:  # a wheel install is an unzip
            wheel.extractall(self._site(root / "installed"))

    def _site(self, venv: Path) -> Path:
        return next((venv / "lib").glob("python3*/site-packages"))

    def _venv(self, venv: Path) -> Path:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        purelib = subprocess.run(
            [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # A path line, not an addsitedir: the editable install's .pth is not processed.
        (self._site(venv) / "dependencies.pth").write_text(purelib + "\n")
        return venv / "bin" / "python"

    def local(self, value: str) -> str:
        """Map an uploaded location to the local artifact."""
        name = value.removeprefix(BUCKET)
        return str(self.root / "dist" / name) if value.startswith(BUCKET) else value

    def script(self, platform: str) -> Path:
        folder = self.root / f"{platform}-script"
        folder.mkdir(exist_ok=True)
        return Path(shutil.copy(REPO / "scripts" / platform / "generic_entry.py", folder))

    def run(
        self, python: Path, args: list[str], *, pythonpath: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        work = self.root / "work"
        work.mkdir(exist_ok=True)
        env = {"PATH": "/usr/bin:/bin", "DWH_HOME": str(work / ".dwh")}
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        return subprocess.run(
            [str(python), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Platform:
    return Platform(tmp_path_factory.mktemp("production"))


def events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_clean_interpreters_cannot_see_the_repository(platform: Platform) -> None:
    probe = platform.run(platform.bare, ["-c", "import dwh"])

    assert probe.returncode == 1 and "No module named 'dwh'" in probe.stderr


def test_glue_job_runs_with_extra_py_files(platform: Platform, tmp_path: Path) -> None:
    job = json_block("DefaultArguments")
    arguments = {k: platform.local(v) for k, v in job["DefaultArguments"].items()}
    assert job["Command"]["ScriptLocation"] == BUCKET + "generic_entry.py"
    out = tmp_path / "events.jsonl"
    # What Glue passes the script: its own arguments, then the job's defaults.
    argv = [
        "--JOB_ID",
        "j_0123",
        "--JOB_RUN_ID",
        "jr_0123abc",
        "--JOB_NAME",
        job["Name"],
        "--TempDir",
        "s3://my-bucket/tmp/",
        "--job-bookmark-option",
        "job-bookmark-disable",
    ]
    for key, value in arguments.items():
        argv += [key, value]

    result = platform.run(
        platform.bare,
        [str(platform.script("glue")), *argv, "--events", str(out)],
        pythonpath=arguments["--extra-py-files"],
    )

    assert result.returncode == 0, result.stderr
    assert Path(arguments["--extra-py-files"]) == platform.zip
    assert [e["event"] for e in events(out)][-1] == "job_succeeded"
    assert {e["run_id"] for e in events(out)} == {"jr_0123abc"}
    assert events(out)[-1]["metrics"]["message"] == "deployed"


def test_emr_step_runs_the_entry_with_py_files(platform: Platform) -> None:
    args = json_block("HadoopJarStep")[0]["HadoopJarStep"]["Args"]
    assert args[0] == "spark-submit"
    py_files = platform.local(args[args.index("--py-files") + 1])
    script_at = next(i for i, a in enumerate(args) if a.endswith("generic_entry.py"))
    assert args[script_at] == BUCKET + "generic_entry.py"

    # spark-submit puts --py-files on the driver's Python path; the cluster run of the
    # same command line is tests/cluster/test_cluster_pipeline.py.
    result = platform.run(
        platform.bare, [str(platform.script("glue")), *args[script_at + 1 :]], pythonpath=py_files
    )

    assert result.returncode == 0, result.stderr
    assert "dwh: job 'noop' succeeded" in result.stderr


def test_databricks_spark_python_task(platform: Platform) -> None:
    task = next(t for t in json_block("tasks")["tasks"] if "spark_python_task" in t)
    assert [lib["whl"] for lib in task["libraries"]] == [BUCKET + platform.wheel.name]
    parameters = [
        p.replace("{{job.run_id}}", "987654") for p in task["spark_python_task"]["parameters"]
    ]

    result = platform.run(platform.installed, [str(platform.script("databricks")), *parameters])

    assert result.returncode == 0, result.stderr
    assert "(run 987654)" in result.stderr


@pytest.mark.parametrize(("config", "code"), [('{"message": "deployed"}', 0), ('{"mesage": 1}', 2)])
def test_databricks_python_wheel_task(platform: Platform, config: str, code: int) -> None:
    task = next(t for t in json_block("tasks")["tasks"] if "python_wheel_task" in t)[
        "python_wheel_task"
    ]
    parameters = [p.replace("{{job.run_id}}", "987654") for p in task["parameters"]]
    parameters[parameters.index("--noop_job") + 1] = config
    # What the wheel task does: find the entry point in the installed package's metadata
    # and call it with the parameters as sys.argv.
    runner = (
        "import sys; from importlib.metadata import entry_points\n"
        f"(point,) = entry_points(group='console_scripts', name={task['entry_point']!r})\n"
        f"assert point.dist.name == {task['package_name']!r}\n"
        f"sys.argv = [point.name, *{parameters!r}]\n"
        "point.load()()\n"
    )

    result = platform.run(platform.installed, ["-c", runner])

    assert result.returncode == code, result.stderr
    if code:
        assert "did you mean 'message'" in result.stderr


def test_container_entrypoint(platform: Platform) -> None:
    dockerfile = blocks("dockerfile")[0]
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (.*)$", dockerfile, re.MULTILINE).group(1))
    assert entrypoint == ["python", "/app/generic_entry.py"]
    assert f"COPY dist/{platform.wheel.name} /tmp/" in dockerfile
    run_line = next(line for b in blocks("bash") for line in b.splitlines() if "docker run" in line)
    args = shlex.split(run_line)
    args = args[args.index("dwh-jobs") + 1 :]

    result = platform.run(platform.installed, [str(platform.script("container")), *args])

    assert result.returncode == 0, result.stderr
    assert NOOP in " ".join(args)
    assert "dwh: job 'noop' succeeded" in result.stderr

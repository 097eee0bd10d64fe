"""Secrets: redaction holds for any nested config, and a secret leaks nowhere.

The property test builds configs of dicts and lists, hides secrets under secret-looking
keys and in URL passwords at any depth, and checks that no secret survives
:func:`redact_config`. The end-to-end test runs a fixture job whose config holds a
password through the real generic entry (invalid config, failing run, succeeding run)
and searches every byte the runs left: stderr, stdout, the events file and the run
store's database files. The TUI and the trigger runner start jobs as child processes;
the last test checks that the password is not on the child's command line, which every
user of the machine can read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwh.events import Event
from dwh.launch import RunRequest, SubprocessLauncher, launch
from dwh.redaction import redact_config

REPO = Path(__file__).resolve().parents[2]
GLUE_ENTRY = REPO / "scripts" / "glue" / "generic_entry.py"

SECRET_KEYS = st.sampled_from(
    ["password", "api_key", "clientSecret", "DB_PASSWORD", "token", "aws-credentials", "pwd"]
)
PLAIN_KEYS = st.sampled_from(["name", "path", "partition_keys", "monkey", "options", "url", "n"])
SECRETS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789!$%", min_size=6, max_size=20).map(
    lambda s: "Zq" + s
)
PLAIN_VALUES = st.one_of(
    st.integers(), st.booleans(), st.none(), st.text(alphabet="ABCDEFGHIJ ./-", max_size=12)
)


@st.composite
def configs(draw: st.DrawFn, depth: int = 0) -> tuple[Any, list[str]]:
    """A nested config and the secrets hidden in it."""
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(["plain", "secret", "url"]))
        if kind == "plain":
            return draw(PLAIN_VALUES), []
        secret = draw(SECRETS)
        if kind == "url":
            return f"jdbc:postgresql://etl:{secret}@db.internal:5432/dwh", [secret]
        return {draw(SECRET_KEYS): secret}, [secret]
    if draw(st.booleans()):
        items = [draw(configs(depth + 1)) for _ in range(draw(st.integers(0, 3)))]
        return [value for value, _ in items], [s for _, found in items for s in found]
    fields: dict[str, tuple[Any, list[str]]] = {}  # a repeated key replaces the earlier one
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            secret = draw(SECRETS)
            value: Any = draw(st.sampled_from([secret, [secret], {"inner": secret}]))
            fields[draw(SECRET_KEYS)] = (value, [secret])
        else:
            fields[draw(PLAIN_KEYS)] = draw(configs(depth + 1))
    out = {key: value for key, (value, _) in fields.items()}
    return out, [secret for _, found in fields.values() for secret in found]


@settings(max_examples=300, deadline=None)
@given(configs(), SECRETS)
def test_no_secret_survives_redaction_at_any_depth(built: tuple[Any, list[str]], copy: str) -> None:
    config, secrets = built
    # A secret repeated in an ordinary field is hidden there too.
    wrapped = {"nested": config, "note": f"connect with {secrets[0]}" if secrets else "none"}
    text = json.dumps(redact_config(wrapped))
    assert not [s for s in secrets if s in text], text
    assert json.dumps(redact_config({"x": [{"y": copy}]})) == json.dumps({"x": [{"y": copy}]})


PASSWORD = "Zq-hunter2-Zq"
SECRET_JOB = textwrap.dedent(
    '''
    """Connects to a database: its config holds a password."""

    from __future__ import annotations

    from typing import Any

    from pydantic import Field

    from dwh.config import JobConfig
    from dwh.jobs.abstract_job import AbstractJob
    from dwh.jobs.abstract_job_factory import AbstractJobFactory


    class DbConfig(JobConfig):
        dsn: str
        password: str
        retries: int = Field(1, ge=0)
        fail: bool = False


    class DbJob(AbstractJob):
        def execute_job(self, dsn: str, password: str, fail: bool, **_: Any) -> dict:
            if fail:
                raise RuntimeError(f"login refused for {dsn} with password {password}")
            with open("/proc/self/cmdline", encoding="utf-8", errors="replace") as argv:
                exposed = password in argv.read()
            return {"dsn": dsn, "connected": True, "password_in_argv": exposed}

        def on_success(self, results: dict) -> None:
            pass

        def on_failure(self, error_message: str) -> None:
            pass


    class DbJobFactory(AbstractJobFactory[DbConfig]):
        job_name = "db"
        config_model = DbConfig
        needs_spark = False

        def create_job(self, **kwargs: Any) -> DbJob:
            self.parse_job_config(**kwargs)
            return DbJob(**self.job_services())


    def main(**kwargs: Any) -> Any:
        return DbJobFactory(**kwargs).run(**kwargs)
    '''
)


def secret_job_env(tmp_path: Path) -> dict[str, str]:
    """Install the ``db`` job under ``tmp_path`` and return the environment that finds it."""
    package = tmp_path / "pkgs" / "secretjobs" / "db"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "db_job_factory.py").write_text(SECRET_JOB)
    return {
        # After the job's package, the checkout under test (when PYTHONPATH names it).
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(tmp_path / "pkgs"), os.environ.get("PYTHONPATH")])
        ),
        "DWH_JOB_PACKAGES": "dwh.jobs,secretjobs",
        "DWH_HOME": str(tmp_path / "home"),
    }


def test_a_secret_appears_in_no_event_store_row_or_error_line(tmp_path: Path) -> None:
    lineage = tmp_path / "openlineage.jsonl"  # OpenLineage events, through the file transport
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OPENLINEAGE")},
        **secret_job_env(tmp_path),
        "OPENLINEAGE__TRANSPORT__TYPE": "file",
        "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH": str(lineage),
        "OPENLINEAGE__TRANSPORT__APPEND": "true",
    }
    home = tmp_path / "home"
    events = tmp_path / "events.jsonl"
    dsn = f"postgresql://etl:{PASSWORD}@db.internal/dwh"
    configs = {
        "invalid": {"dsn": dsn, "password": PASSWORD, "retries": -1},
        "unknown-key": {"dsn": dsn, "password": PASSWORD, "pasword": PASSWORD},
        "wrong-type": {"dsn": dsn, "password": [PASSWORD, 1]},
        "failing": {"dsn": dsn, "password": PASSWORD, "fail": True},
        "succeeding": {"dsn": dsn, "password": PASSWORD},
    }
    said = []
    for name, config in configs.items():
        proc = subprocess.run(
            [
                sys.executable,
                str(GLUE_ENTRY),
                "--module_name",
                "secretjobs.db.db_job_factory",
                "--db_job",
                json.dumps(config),
                "--has_spark",
                "false",
                "--run_id",
                name,
                "--events",
                str(events),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == {"failing": 1, "succeeding": 0}.get(name, 2), proc.stderr
        said.append(proc.stdout + proc.stderr)

    assert "***" in said[3] and "login refused" in said[3]
    assert "job 'db' succeeded" in said[4]
    # The control for the last test: a config given inline is on the command line.
    assert '"password_in_argv": true' in said[4]
    leaks = [text for text in said if PASSWORD in text]
    assert not leaks, leaks
    assert events.read_text().count("job_started") == 2
    stored = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    assert b"login refused" in stored, "the run store holds the failure"
    assert PASSWORD.encode() not in stored
    assert PASSWORD not in events.read_text()
    assert lineage.read_text().count('"eventType": "START"') == 2
    assert PASSWORD not in lineage.read_text()


async def test_the_tui_and_the_trigger_runner_keep_the_config_off_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every user of the machine can read a process's command line; the job reads its
    # own and reports whether the password is there.
    for name, value in secret_job_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(tmp_path / "pkgs")  # the runner finds the job here first
    config = {"dsn": "postgresql://db.internal/dwh", "password": PASSWORD}

    by_trigger_runner = launch("db", config, has_spark=False)

    launched = await SubprocessLauncher().launch(
        RunRequest("db", "secretjobs.db.db_job_factory", config, False, "tui-run")
    )
    events = [item async for item in launched.items() if isinstance(item, Event)]

    assert by_trigger_runner.status == "succeeded", by_trigger_runner
    assert by_trigger_runner.metrics["password_in_argv"] is False
    assert launched.returncode == 0
    assert events[-1].event == "job_succeeded"
    assert events[-1].payload["metrics"]["password_in_argv"] is False
    # The handover left no file behind: it never had a name.
    assert not [p for p in Path(tempfile.gettempdir()).iterdir() if PASSWORD in _text(p)]
    # Both runs' stored process logs exist and hide it, as the run store does.
    home = tmp_path / "home"
    assert (home / "logs" / "tui-run.log").is_file()
    assert (home / "logs" / f"{by_trigger_runner.run_id}.log").is_file()
    assert not [p for p in home.rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()]


def _text(path: Path) -> str:
    try:
        small = path.is_file() and path.stat().st_size < 1024 * 1024
        return path.read_text(errors="replace") if small else ""
    except OSError:
        return ""

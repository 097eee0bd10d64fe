"""Both faces store a launched run's output, secrets hidden, as $DWH_HOME/logs/<run_id>.log."""

from __future__ import annotations

import io

import pytest

from dwh.events import RunStatus
from dwh.launch import LogLine, RunRequest, SubprocessLauncher, launch
from dwh.runs.logs import log_path, read_log

CHATTY = "launchjobs.chatty.chatty_job_factory"
SECRET = "hunter2-pw"


@pytest.mark.usefixtures("launch_jobs")
def test_the_sync_face_stores_the_childs_stderr_with_secrets_hidden() -> None:
    shown = io.StringIO()

    run = launch("chatty", {"lines": 3, "db_password": SECRET}, run_id="log-sync-1", stderr=shown)

    assert run.status == RunStatus.SUCCEEDED
    stored = read_log("log-sync-1")
    assert stored is not None
    assert [line for line in stored if line.startswith("chatty")] == [
        "chatty line 0 password=***",
        "chatty line 1 password=***",
        "chatty line 2 password=***",
    ]
    assert stored == shown.getvalue().splitlines()  # the log is what was passed through
    path = log_path("log-sync-1")
    assert path is not None and SECRET not in path.read_text()


@pytest.mark.usefixtures("launch_jobs")
async def test_the_async_face_stores_stdout_and_stderr_as_the_log_lines_it_yields() -> None:
    request = RunRequest(
        "chatty", CHATTY, {"lines": 2, "db_password": SECRET}, False, "log-async-1"
    )

    handle = await SubprocessLauncher().launch(request)
    lines = [item.text for item in [i async for i in handle.items()] if isinstance(item, LogLine)]

    assert handle.returncode == 0
    assert "stdout says hello, password=***" in lines
    assert "chatty line 1 password=***" in lines
    assert read_log("log-async-1") == lines
    path = log_path("log-async-1")
    assert path is not None and SECRET not in path.read_text()

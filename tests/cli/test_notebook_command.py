"""``dwh notebook``: JupyterLab on notebooks/, loopback only, token required; stopped by pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dwh.errors import UsageError
from dwh.notebook import project_root, use_project_root
from dwh.notebook.lab import lab_settings

REPO = Path(__file__).resolve().parents[2]
DWH = Path(sys.executable).with_name("dwh")
THE_THREE = {"run_job.ipynb", "filter_images.ipynb", "transform_images.ipynb"}


def get(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


@pytest.fixture
def dwh_notebook(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``dwh notebook`` as a user starts it, from another folder; its group is killed after."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    env.pop("DWH_PROJECT_ROOT", None)
    process = subprocess.Popen(
        [str(DWH), "notebook"],
        cwd=REPO / "notebooks",
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        url = ""
        while time.monotonic() < deadline and not url:
            line = process.stdout.readline()
            if not line:
                break
            if line.startswith("open "):
                url = line.split(" ", 1)[1].strip()
        assert url, f"dwh notebook printed no URL (exit code {process.poll()})"
        yield process, url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def test_dwh_notebook_serves_the_notebooks_with_a_token_and_stops_on_sigterm(
    dwh_notebook: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = dwh_notebook
    base, _, token = url.partition("/lab?token=")
    assert base.startswith("http://127.0.0.1:")
    assert len(token) >= 32

    # What `curl -H "Authorization: token $TOKEN" $BASE/api/contents/` shows.
    status, body = get(f"{base}/api/contents/", token)
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert THE_THREE <= names
    assert get(f"{base}/api/contents/")[0] == 403
    assert get(f"{base}/api/contents/", "wrong-token")[0] == 403
    status, body = get(f"{base}/api/kernelspecs", token)
    assert json.loads(body)["default"] == "python3"

    port = int(base.rsplit(":", 1)[1])
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "JupyterLab outlived dwh notebook"


def test_the_command_binds_loopback_opens_notebooks_and_keeps_the_token_off_argv() -> None:
    settings = lab_settings(root=REPO, token="t0ken" * 8)
    command = settings.command()

    assert "--ServerApp.ip=127.0.0.1" in command
    assert f"--ServerApp.root_dir={REPO / 'notebooks'}" in command
    assert not any(settings.token in part for part in command)
    env = settings.env({"PYTHONPATH": "/elsewhere"})
    assert env["JUPYTER_TOKEN"] == settings.token
    assert env["DWH_PROJECT_ROOT"] == str(REPO)
    assert env["PYTHONPATH"] == f"{REPO}{os.pathsep}/elsewhere"
    assert settings.url == f"http://127.0.0.1:{settings.port}/lab?token={settings.token}"


def test_a_busy_port_is_refused_with_one_line_naming_the_option() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(UsageError, match=rf"^--port {port} is in use on 127.0.0.1"):
            lab_settings(root=REPO, port=port)


def test_notebooks_resolve_relative_paths_against_the_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DWH_PROJECT_ROOT", raising=False)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")

    assert use_project_root() == tmp_path
    assert Path.cwd() == tmp_path
    assert capsys.readouterr().out == f"relative paths resolve against {tmp_path}\n"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("DWH_PROJECT_ROOT", str(elsewhere))
    assert project_root() == elsewhere

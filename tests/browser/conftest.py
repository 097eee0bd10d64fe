"""Fixtures for the browser tests: a JupyterLab server and a real chromium, both stopped by pid.

The server runs on a free loopback port with a token, exactly as ``dwh notebook`` starts
it (:class:`dwh.notebook.lab.LabServer`), on a throwaway project: copies of the
committed notebooks (so running them never writes outputs into the checkout, even by
autosave) and the demo data filter_images reads. Its kernels import this checkout's
``dwh``. chromium is Debian's (``make chromium``); a missing one fails the tests loudly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dwh.notebook.lab import LabServer, free_port, lab_settings

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def write_transformed(folder: Path) -> None:
    """A transform_images output for filter_images: 4 rows, one duplicate content hash."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    at = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
    table = pa.table(
        {
            "image_id": ["img-a1", "img-b1", "img-c1", "img-a2"],
            "url": [f"https://example.com/{n}.jpg" for n in ("a1", "b1", "c1", "a2")],
            "content_hash": ["hash-a", "hash-b", "hash-c", "hash-a"],
            "captured_at": [at + dt.timedelta(minutes=m) for m in (0, 1, 2, 3)],
            "width": [640, 800, 1024, 640],
            "height": [480, 600, 768, 480],
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "part-00000.parquet")


@pytest.fixture(scope="session")
def lab_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root with the notebooks and the data ``make demo`` would write."""
    root = tmp_path_factory.mktemp("lab-project")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    write_transformed(root / "demo-data" / "transformed")
    return root


@pytest.fixture(autouse=True)
def no_filtered_history(lab_project: Path) -> None:
    """Each test filters against no history: an earlier test's output would dedupe it all."""
    shutil.rmtree(lab_project / "demo-data" / "filtered", ignore_errors=True)


@pytest.fixture(scope="session")
def lab(lab_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on the throwaway project, with the app exposed to the page for the tests."""
    home = tmp_path_factory.mktemp("jupyter-home")
    settings = lab_settings(
        root=lab_project,
        extra_args=[
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.workspaces_dir={home / 'workspaces'}",
        ],
    )
    # No "get Jupyter news?" toast over the page (and no call out for it).
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = dict(os.environ)
    env.update(
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        PYTHONPATH=str(REPO),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        DWH_HOME=str(home / "dwh-home"),
    )
    log_path = home / "jupyterlab.log"
    with log_path.open("wb") as log:
        server = LabServer.start(settings, log=log, env=env)
        try:
            try:
                server.wait_ready(timeout=120)
            except Exception:
                raise AssertionError(
                    "JupyterLab did not start:\n" + log_path.read_text(errors="replace")[-3000:]
                ) from None
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's chromium, started here (stopped by its pid) and driven by playwright over CDP."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
            "Install it with 'make chromium' (as root) or 'sudo apt-get install -y chromium'; "
            "never 'playwright install'.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    port = free_port()
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless=new",
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}",
            *CHROMIUM_ARGS,
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        endpoint = _wait_for_devtools(process, port)
        manager = sync_playwright().start()
        try:
            yield manager.chromium.connect_over_cdp(endpoint)
        finally:
            manager.stop()
    finally:
        _stop_group(process)


def _wait_for_devtools(process: subprocess.Popen[bytes], port: int, timeout: float = 60) -> str:
    url = f"http://127.0.0.1:{port}/json/version"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chromium exited with code {process.returncode} on start")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(json.loads(response.read())["webSocketDebuggerUrl"])
        except (OSError, ValueError):
            time.sleep(0.25)
    raise AssertionError(f"chromium's DevTools did not answer on port {port} in {timeout}s")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop chromium and its helper processes (its own process group), by its pid."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            continue
    try:
        os.killpg(process.pid, signal.SIGKILL)  # helpers left behind by the browser
    except ProcessLookupError:
        pass


@pytest.fixture
def page(browser: Any, lab: LabServer) -> Iterator[Any]:
    """A fresh page 1400 px wide; its kernels are shut down after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()
        for kernel in lab.api("kernels"):
            lab.delete(f"kernels/{kernel['id']}")

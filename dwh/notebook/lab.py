"""Start JupyterLab from the project's environment: loopback only, a token, ``notebooks/``.

``dwh notebook`` and ``make notebook`` use :class:`LabServer`; so do the browser tests,
which stop it by its process id. The server runs this interpreter's ``jupyterlab``, so
the ``python3`` kernel is this venv's python. Its kernels get ``$DWH_PROJECT_ROOT``
(see :mod:`dwh.notebook.paths`) and the project root on ``PYTHONPATH``, so the notebooks
import this checkout's ``dwh`` and resolve relative paths against the project root.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from dwh.errors import NotebookServerError, UsageError
from dwh.notebook.paths import PROJECT_ROOT_ENV, project_root

HOST = "127.0.0.1"


@dataclass(frozen=True)
class LabSettings:
    """How to start JupyterLab.

    Attributes:
        root: The project root (kernels resolve relative paths against it).
        port: The loopback port.
        token: The token every request must carry.
        extra_args: More ``jupyter lab`` options (the tests expose the app to the page).
    """

    root: Path
    port: int
    token: str
    extra_args: tuple[str, ...] = field(default=())

    @property
    def notebooks(self) -> Path:
        """The folder JupyterLab opens: ``<root>/notebooks``."""
        return self.root / "notebooks"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The URL to open, token included."""
        return f"{self.base_url}/lab?token={self.token}"

    def command(self, python: str | None = None) -> list[str]:
        """The ``jupyter lab`` command line."""
        return [
            python or sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--ServerApp.ip={HOST}",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.notebooks}",
            # No calls out: no news feed, no update check.
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            # CI runs as root on a fresh machine; the server still binds loopback only.
            *(["--allow-root"] if os.geteuid() == 0 else []),
            *self.extra_args,
        ]

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The server's environment; its kernels inherit it."""
        env = dict(os.environ if base is None else base)
        path = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.root), path) if p)
        env[PROJECT_ROOT_ENV] = str(self.root)
        # In the environment, not on the command line, where `ps` shows it to every user.
        env["JUPYTER_TOKEN"] = self.token
        # Spark's Python workers must be this venv's python, which has pyarrow.
        env.setdefault("PYSPARK_PYTHON", sys.executable)
        return env


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def lab_settings(
    *,
    port: int = 0,
    token: str | None = None,
    root: Path | None = None,
    extra_args: Sequence[str] = (),
) -> LabSettings:
    """Check the options and pick the port and token.

    Raises:
        UsageError: JupyterLab is not installed, the port is taken or out of range, or
            the project has no ``notebooks/`` folder.
    """
    if importlib.util.find_spec("jupyterlab") is None:
        raise UsageError(
            "JupyterLab is not installed in this environment: "
            "pip install 'dwh[notebooks]' (make notebook does it)"
        )
    folder = (root or project_root()).resolve()
    if root is None and not (folder / "notebooks").is_dir():
        # Outside a project (or in a subfolder without one): this checkout's notebooks.
        folder = Path(__file__).resolve().parents[2]
    if not (folder / "notebooks").is_dir():
        raise UsageError(f"no notebooks/ folder in the project root {folder}")
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535 (or 0 for a free one), got {port}")
    if port and not _port_free(port):
        raise UsageError(f"--port {port} is in use on {HOST}: pick another, or 0 for a free one")
    return LabSettings(
        root=folder,
        port=port or free_port(),
        token=token or secrets.token_hex(24),
        extra_args=tuple(extra_args),
    )


class LabServer:
    """A running JupyterLab process, in its own process group.

    Attributes:
        settings: How it was started.
        process: The server process.
    """

    def __init__(self, settings: LabSettings, process: subprocess.Popen[bytes]) -> None:
        self.settings = settings
        self.process = process

    @classmethod
    def start(
        cls,
        settings: LabSettings,
        *,
        log: IO[bytes] | int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> LabServer:
        """Start the server (not yet ready: call :meth:`wait_ready`)."""
        process = subprocess.Popen(
            settings.command(),
            cwd=settings.notebooks,
            env=settings.env(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
            start_new_session=True,
        )
        return cls(settings, process)

    @property
    def pid(self) -> int:
        """The server's process id (also its process group id)."""
        return self.process.pid

    def api(self, path: str, *, timeout: float = 5.0) -> Any:
        """GET ``/api/<path>`` with the token; return the decoded JSON."""
        request = urllib.request.Request(
            f"{self.settings.base_url}/api/{path.lstrip('/')}",
            headers={"Authorization": f"token {self.settings.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    def delete(self, path: str, *, timeout: float = 10.0) -> None:
        """DELETE ``/api/<path>`` with the token (e.g. ``kernels/<id>`` shuts a kernel down)."""
        request = urllib.request.Request(
            f"{self.settings.base_url}/api/{path.lstrip('/')}",
            headers={"Authorization": f"token {self.settings.token}"},
            method="DELETE",
        )
        with urllib.request.urlopen(request, timeout=timeout):
            pass

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the server answers ``/api/status``.

        Raises:
            NotebookServerError: It exited, or did not answer within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise NotebookServerError(
                    f"JupyterLab exited with code {code} before it was ready (see its log above)"
                )
            try:
                self.api("status", timeout=2.0)
                return
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.25)
        raise NotebookServerError(
            f"JupyterLab did not answer on {self.settings.base_url} in {timeout}s"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and every process under it; kill what lingers.

        Kernels run in sessions of their own (jupyter_client starts them so), so their
        process ids are collected first and each is signalled by id after the server.
        """
        children = _descendants(self.pid)
        if self.process.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.pid, signal.SIGKILL)
        for pid in children:
            _signal_pid(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _signal_pid(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, children first, read from ``/proc``."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True

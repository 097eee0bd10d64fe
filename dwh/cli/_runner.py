"""``python -P -m dwh.cli._runner``: the warm runner, a resident pre-imported process.

Started beside the local Spark server (:func:`dwh.spark.runner.start_runner`), it
imports what every warm run imports (:data:`PRELOAD`: dwh's run path, click, pydantic,
pyspark's Connect client, pandas, pyarrow), never a job's module, then serves its
socket (mode 0600 in a 0700 folder, callers of another user refused by their
credentials too). For each run it forks a child, which becomes the caller's process
(:mod:`dwh.cli._runner_child`) and runs ``dwh``'s command line or the generic entry, so
the events, run store, locks, redaction and exit codes are those of a run today; the
runner reports the child's exit (or the signal that killed it) to the caller.

gRPC's rule for ``fork()`` (grpc ``doc/fork_support.md``): no channel before the fork.
The runner imports the Connect client but never opens a session or channel, and runs
no Python thread (checked at start; the native threads of numpy's BLAS and pyarrow's
jemalloc, which handle fork themselves, are the only others).

It stays until ``dwh spark stop`` (SIGTERM: its running children are asked to stop as
well) or until it is out of date (:mod:`dwh.cli._runner_fresh`): it then starts its
replacement, refuses new runs (they go today's way, with one line) and ends once its
own children have. A runner whose socket another runner has taken ends the same way.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from dwh.cli import _runner_child
from dwh.cli._runner_fresh import Fingerprint, misfit, take
from dwh.processes import pid_alive
from dwh.spark._discovery import read_recorded
from dwh.spark._runner_wire import Channel, WireError
from dwh.spark.runner import (
    read_record,
    record_path,
    runner_dir,
    socket_address,
    socket_path,
    spawn_runner,
)

PRELOAD = (
    "dwh.cli.app",
    "dwh.cli.run",
    "dwh.cli._progress_bar",
    "dwh.entry",
    "dwh.registry",
    "dwh.config",
    "dwh.jobs.abstract_job",
    "dwh.jobs.abstract_job_factory",
    "dwh.jobs.run_options",
    "dwh.runs.wiring",
    "dwh.runs.store",
    "dwh.runs.publisher",
    "dwh.runs.alerts",
    "dwh.runs.locks",
    "dwh.lineage",
    "dwh.services.readers",
    "dwh.services.loaders",
    "dwh.services.publication",
    "dwh.services.publishers",
    "dwh.services.atomic_commit",
    "dwh.checks.results",
    "dwh.checks.spec",
    "dwh.diff.summary",
    "dwh.spark.run_session",
    "dwh.spark.session",
    "dwh.spark.progress",
    "dwh.spark.code_shipping",
    "dwh.spark.audit",
    "dwh.spark.prewarm",
    "dwh.spark.recycle",
    "dwh.spark.connect_errors",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "pyspark.sql.connect.session",
    "pyspark.sql.connect.dataframe",
    "pyspark.sql.connect.functions",
    "pyspark.sql.connect.client.core",
    "pyspark.sql.connect.shell.progress",
    "pyspark.sql.functions",
    "pyspark.sql.types",
    "pyspark.cloudpickle",
    # Imported by every run too, on first use: the progress bars and the CLI's output
    # (rich), the channel's modules (gRPC), the server's status, and IPython with
    # ipykernel when they are installed (pyspark's error call sites look for them).
    "rich.console",
    "rich.progress",
    "rich.table",
    "rich.live",
    "grpc._channel",
    "grpc._auth",
    "grpc._plugin_wrapping",
    "dwh.spark.server",
    "IPython",
    "ipykernel",
)
"""What every warm run imports; a job's own modules are never among them. A module that
is not installed (IPython in production) is left out, and logged."""

_POLL_S = 2.0
_KILL_AFTER_S = 10.0


@dataclass
class _Run:
    """One connection: a caller, and its child once forked."""

    channel: Channel
    child: int | None = None
    pidfd: int | None = None
    kill_at: float | None = None


@dataclass
class _Forked:
    """What the child of a fork returns from the serve loop."""

    request: dict[str, Any]
    fds: list[int]


@dataclass
class Runner:
    """The serve loop's state (one per runner process)."""

    fingerprint: Fingerprint
    listener: socket.socket
    inode: int
    runs: dict[int, _Run] = field(default_factory=dict)  # by the socket's fd
    served: int = 0
    draining: bool = False
    stopping: bool = False
    quit_reason: str = ""

    def __post_init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        signal.set_wakeup_fd(self.wake_w.fileno())
        self.selector.register(self.wake_r, selectors.EVENT_READ, "signal")
        for signum in (signal.SIGTERM, signal.SIGUSR1, signal.SIGHUP):
            signal.signal(signum, lambda *_: None)  # the wakeup fd says which
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def serve(self) -> _Forked | None:
        """Serve until stopped or out of date; in a forked child, return its request."""
        checked = time.monotonic()
        while True:
            for key, _ in self.selector.select(timeout=_POLL_S):
                forked = self._on_event(key)
                if forked is not None:
                    return forked
            now = time.monotonic()
            if now - checked >= _POLL_S:
                checked = now
                self._check()
            self._kill_overdue(now)
            if (self.draining or self.stopping) and not self._children():
                _log(f"ending: {self.quit_reason}")
                return None

    def _on_event(self, key: selectors.SelectorKey) -> _Forked | None:
        if key.data == "accept":
            return self._accept()
        if key.data == "signal":
            self._on_signals()
        elif isinstance(key.data, tuple) and key.data[0] == "pidfd":
            self._reap(key.data[1])
        elif isinstance(key.data, tuple) and key.data[0] == "caller":
            self._on_caller(key.data[1])
        return None

    def _accept(self) -> _Forked | None:
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return None
        sock.settimeout(5.0)
        channel = Channel(sock)
        try:
            uid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
            if uid != os.getuid():
                channel.send({"refused": "the runner serves its own user only"})
                sock.close()
                return None
            request, fds = channel.receive()
        except (OSError, WireError) as exc:
            _log(f"a caller's request failed: {exc}")
            sock.close()
            return None
        if request is None:
            sock.close()
            return None
        return self._start(channel, request, fds)

    def _start(self, channel: Channel, request: dict[str, Any], fds: list[int]) -> _Forked | None:
        refusal = self._refusal(request)
        if refusal is not None:
            with contextlib.suppress(OSError):
                channel.send(refusal)
            channel.sock.close()
            for fd in fds:
                os.close(fd)
            return None
        pid = os.fork()
        if pid == 0:
            self._close_in_child(channel)
            return _Forked(request, fds)
        for fd in fds:
            os.close(fd)
        self.served += 1
        pidfd = os.pidfd_open(pid)
        run = _Run(channel, child=pid, pidfd=pidfd)
        channel.sock.settimeout(None)
        self.runs[channel.sock.fileno()] = run
        self.selector.register(channel.sock, selectors.EVENT_READ, ("caller", run))
        self.selector.register(pidfd, selectors.EVENT_READ, ("pidfd", run))
        with contextlib.suppress(OSError):
            channel.send({"started": pid})
        _write_record(self.served, self.fingerprint.server_pid)
        return None

    def _refusal(self, request: dict[str, Any]) -> dict[str, Any] | None:
        if self.draining or self.stopping:
            return {"refused": f"it is ending ({self.quit_reason})"}
        stale = self._stale()
        if stale is not None:
            return stale
        try:
            path0 = request["path0"]
            wrong = misfit(
                str(request["executable"]),
                list(request["sys_path"]),
                None if path0 is None else str(path0),
                str(request["cwd"]),
            )
        except (KeyError, TypeError) as exc:
            return {"refused": f"a malformed request ({exc})"}
        if wrong is not None:
            return {"refused": f"it can't serve this caller: {wrong}"}
        return None

    def _stale(self) -> dict[str, Any] | None:
        """Refuse and end when out of date; start a replacement unless the server is gone."""
        reason = self.fingerprint.changed()
        if reason is None:
            return None
        recorded = read_recorded()
        if recorded is None or not pid_alive(recorded.pid):
            self._drain("its Spark server is gone")
            return {"refused": "its Spark server is gone", "quiet": True}
        self._drain(f"out of date: {reason}")
        spawn_runner()
        return {"refused": f"it was out of date ({reason}); a fresh one is starting"}

    def _check(self) -> None:
        if self.draining or self.stopping:
            return
        try:
            replaced = os.stat(socket_path()).st_ino != self.inode
        except OSError:
            replaced = True
        if replaced:
            self._drain("another runner took the socket")
            return
        self._stale()

    def _drain(self, reason: str) -> None:
        if self.draining:
            return
        self.draining = True
        self.quit_reason = reason
        _log(f"refusing new runs: {reason}")
        self._close_listener()

    def _close_listener(self) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(self.listener)
        with contextlib.suppress(OSError):
            if os.stat(socket_path()).st_ino == self.inode:
                socket_path().unlink()
                record = read_record()
                if record is not None and record.get("pid") == os.getpid():
                    record_path().unlink()
        self.listener.close()

    def _on_signals(self) -> None:
        try:
            data = self.wake_r.recv(64)
        except OSError:
            return
        for signum in data:
            if signum in (signal.SIGTERM, signal.SIGHUP) and not self.stopping:
                self.stopping = True
                self.quit_reason = self.quit_reason or "stopped"
                if not self.draining:
                    self.draining = True
                    self._close_listener()
                for run in self._children():
                    self._signal(run, signal.SIGTERM)
                    run.kill_at = time.monotonic() + _KILL_AFTER_S
            elif signum == signal.SIGUSR1:
                self._check()

    def _on_caller(self, run: _Run) -> None:
        try:
            message, fds = run.channel.receive()
        except (OSError, WireError):
            message, fds = None, []
        for fd in fds:
            os.close(fd)
        if message is None:  # the caller is gone: its run stops, as it would with it
            self.selector.unregister(run.channel.sock)
            self._signal(run, signal.SIGTERM)
            run.kill_at = time.monotonic() + _KILL_AFTER_S
            return
        signum = message.get("signal")
        if isinstance(signum, int):
            self._signal(run, signum)

    def _signal(self, run: _Run, signum: int) -> None:
        if run.child is not None:
            with contextlib.suppress(OSError):
                os.killpg(run.child, signum)

    def _kill_overdue(self, now: float) -> None:
        for run in self._children():
            if run.kill_at is not None and now >= run.kill_at:
                self._signal(run, signal.SIGKILL)
                run.kill_at = None

    def _reap(self, run: _Run) -> None:
        assert run.child is not None and run.pidfd is not None
        _, status = os.waitpid(run.child, 0)
        self.selector.unregister(run.pidfd)
        os.close(run.pidfd)
        code = os.waitstatus_to_exitcode(status)
        message = {"exit": code, "signal": -code} if code < 0 else {"exit": code}
        with contextlib.suppress(OSError):
            run.channel.send(message)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(run.channel.sock)
        self.runs.pop(run.channel.sock.fileno(), None)
        run.channel.sock.close()
        run.child = None

    def _children(self) -> list[_Run]:
        return [run for run in self.runs.values() if run.child is not None]

    def _close_in_child(self, mine: Channel) -> None:
        """The child keeps none of the runner's descriptors."""
        signal.set_wakeup_fd(-1)
        for run in self.runs.values():
            run.channel.sock.close()
            if run.pidfd is not None:
                os.close(run.pidfd)
        mine.sock.close()
        self.selector.close()
        self.wake_r.close()
        self.wake_w.close()
        self.listener.close()


def preload() -> None:
    """Import :data:`PRELOAD`; a module that fails to import is left out, and logged."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as exc:
            _log(f"could not preload {name}: {type(exc).__name__}: {exc}")


def _bind() -> tuple[socket.socket, int]:
    folder = runner_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    draft = folder / f".runner-{os.getpid()}.sock"
    with contextlib.suppress(FileNotFoundError):
        draft.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listener.bind(socket_address(draft))
    finally:
        os.umask(previous)
    os.chmod(draft, 0o600)
    listener.listen(16)
    inode = os.stat(draft).st_ino
    os.replace(draft, socket_path())
    return listener, inode


def _write_record(runs: int, server_pid: int | None) -> None:
    record = {
        "pid": os.getpid(),
        "started_at": _STARTED_AT,
        "server_pid": server_pid,
        "imports": len(sys.modules),
        "runs": runs,
        "python": sys.executable,
    }
    draft = record_path().with_name(f".runner-{os.getpid()}.json")
    draft.write_text(json.dumps(record), encoding="utf-8")
    os.replace(draft, record_path())


def _log(message: str) -> None:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"{stamp} runner {os.getpid()}: {message}", file=sys.stderr, flush=True)


_STARTED_AT = time.time()


def main() -> int:
    """Preload, bind, serve; in a forked child, run the caller's command instead."""
    began = time.monotonic()
    preload()
    if threading.active_count() != 1:
        _log(f"{threading.active_count()} Python threads after the imports: not forking")
        return 1
    fingerprint = take()
    if fingerprint.server_pid is None:
        _log("no Spark server is recorded: nothing to serve")
        return 1
    previous = read_record()
    listener, inode = _bind()
    _write_record(0, fingerprint.server_pid)
    (runner_dir() / "modules.json").write_text(json.dumps(sorted(sys.modules)), encoding="utf-8")
    old = previous.get("pid") if previous else None
    if isinstance(old, int) and old != os.getpid() and pid_alive(old):
        with contextlib.suppress(OSError):
            os.kill(old, signal.SIGUSR1)  # it sees its socket taken, and ends
    with contextlib.suppress(OSError):
        (runner_dir() / "starting.pid").unlink()
    took = time.monotonic() - began
    _log(f"serving, {len(sys.modules)} modules imported in {took:.2f} s")
    forked = Runner(fingerprint, listener, inode).serve()
    if forked is None:
        return 0
    _runner_child.become(forked.request, forked.fds)
    return _runner_child.run(forked.request)


if __name__ == "__main__":
    sys.exit(main())

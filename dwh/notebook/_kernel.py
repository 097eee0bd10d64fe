"""Stop the kernel's own Spark session cleanly when the kernel is asked to shut down.

A run without a Spark Connect remote builds a classic session inside the kernel: its
JVM is a child process in the kernel's process group. When papermill ends a run, or
JupyterLab closes a notebook, ipykernel answers the shutdown request by sending
SIGTERM to every child in that group, and jupyter_client signals the whole group
again if the kernel is not gone 2.5 s later. The JVM then dies in its shutdown hooks,
and any short-lived process it has started dies with it: Spark logs
``ERROR Utils: Process ArraySeq(getconf, PAGESIZE) exited with code 143`` when that
is the page-size probe of its executor metrics, which runs about 10 s after start.

So the first dwh run in a kernel wraps the kernel's ``do_shutdown``: the session and
its JVM stop (about 0.3 s here) before ipykernel looks for children to kill, and the
kernel exits before jupyter_client's timeout. :func:`quiet_shutdown` also keeps
jupyter_client's SIGINT from landing in a request that runs no user code.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_MARK = "_dwh_stops_spark"
_JVM_EXIT_SECONDS = 2.0
_NO_USER_CODE = frozenset(
    {"kernel_info_request", "comm_info_request", "is_complete_request", "connect_request"}
)
"""Shell requests that run no user code, so there is nothing for SIGINT to interrupt."""


def quiet_shutdown(kernel: Any = None, stop_spark: Callable[[], object] | None = None) -> bool:
    """Make the running IPython kernel shut down quietly after dwh runs.

    Two wrappers on the kernel object, installed once:

    - ``do_shutdown`` stops the classic Spark session and its JVM first, so that
      ipykernel finds no child to kill (see the module docstring).
    - ``pre_handler_hook`` leaves SIGINT ignored while the kernel answers a request
      that runs no user code (``kernel_info_request`` and the like). papermill asks
      for the kernel's info after the last cell and shuts the kernel down as soon as
      the reply arrives; jupyter_client's shutdown starts with SIGINT, which lands
      while ipykernel is still finishing that request, and ipykernel then logs
      ``ERROR | KeyboardInterrupt caught in kernel.`` under a successful run.

    Does nothing outside a kernel.

    Args:
        kernel: The ipykernel ``Kernel``; by default the one this process runs.
        stop_spark: What stops Spark at shutdown; by default :func:`stop_classic_spark`.

    Returns:
        True when the wrappers were installed by this call.
    """
    kernel = kernel if kernel is not None else _kernel()
    if kernel is None or getattr(kernel, _MARK, False):
        return False
    stop = stop_spark or stop_classic_spark
    do_shutdown = kernel.do_shutdown
    pre_handler_hook = kernel.pre_handler_hook

    def stop_spark_then_shut_down(restart: bool) -> Any:
        stop()
        return do_shutdown(restart)

    def pre_handler_hook_quiet_for_info() -> None:
        pre_handler_hook()
        if _request_type(kernel) in _NO_USER_CODE:
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    kernel.do_shutdown = stop_spark_then_shut_down
    kernel.pre_handler_hook = pre_handler_hook_quiet_for_info
    setattr(kernel, _MARK, True)
    return True


def stop_classic_spark() -> bool:
    """Stop this process's classic SparkContext and its JVM, if one runs.

    ``SparkContext.stop()`` keeps the JVM for a next context. Here it must go, and be
    reaped: ipykernel counts a zombie child as alive and keeps signalling it for 14 s.
    The JVM exits by itself when its stdin closes.

    Returns:
        True when a context was stopped.
    """
    if "pyspark" not in sys.modules:
        return False
    from pyspark import SparkContext

    context = SparkContext._active_spark_context
    if context is None:
        return False
    try:
        context.stop()
    except Exception as exc:  # the kernel must shut down all the same
        log.debug("could not stop the kernel's Spark session: %s", exc)
        return False
    gateway = SparkContext._gateway
    process = getattr(gateway, "proc", None)
    if gateway is not None and process is not None:
        with contextlib.suppress(Exception):
            gateway.shutdown()
        SparkContext._gateway = None
        SparkContext._jvm = None
        _end(process)
    return True


def _end(process: subprocess.Popen[bytes]) -> None:
    """Close the JVM's stdin, wait for it to exit, and reap it."""
    with contextlib.suppress(OSError):
        if process.stdin is not None:
            process.stdin.close()
    try:
        process.wait(timeout=_JVM_EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _request_type(kernel: Any) -> str | None:
    """The type of the shell request the kernel is handling, if it says."""
    try:
        parent = kernel.get_parent("shell")
    except Exception:
        return None
    header = parent.get("header", {}) if isinstance(parent, dict) else {}
    kind = header.get("msg_type")
    return kind if isinstance(kind, str) else None


def _kernel() -> Any:
    """The running ipykernel ``Kernel``, or None outside a kernel."""
    shell_module = sys.modules.get("IPython")
    if shell_module is None:
        return None
    shell = shell_module.get_ipython()
    return getattr(shell, "kernel", None)

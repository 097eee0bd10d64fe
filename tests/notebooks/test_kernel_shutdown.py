"""``quiet_shutdown``: the kernel wrappers that keep a papermill run's stderr clean.

The kernel here is a stand-in with ipykernel's contract for the two wrapped methods
(``pre_handler_hook`` installs ``default_int_handler`` for the request being handled;
``get_parent("shell")`` is that request). The real kernel is exercised by
``test_notebook_kernel_quiet.py``, which runs papermill on a Spark notebook.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest

from dwh.notebook._kernel import quiet_shutdown


class StandInKernel:
    """ipykernel's ``Kernel`` as far as the wrappers use it."""

    def __init__(self) -> None:
        self.parent: dict[str, Any] = {}
        self.shutdowns: list[object] = []

    def get_parent(self, channel: str = "shell") -> dict[str, Any]:
        return self.parent

    def pre_handler_hook(self) -> None:
        self.saved_sigint_handler = signal.signal(signal.SIGINT, signal.default_int_handler)

    def post_handler_hook(self) -> None:
        signal.signal(signal.SIGINT, self.saved_sigint_handler)

    def do_shutdown(self, restart: bool) -> dict[str, Any]:
        self.shutdowns.append(restart)
        return {"status": "ok", "restart": restart}

    def handle(self, msg_type: str) -> Any:
        """Set the request and enter its handler; return SIGINT's handler inside it."""
        self.parent = {"header": {"msg_type": msg_type}}
        self.pre_handler_hook()
        try:
            return signal.getsignal(signal.SIGINT)
        finally:
            self.post_handler_hook()


@pytest.fixture
def kernel() -> Iterator[StandInKernel]:
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as IPKernelApp.init_signal
    try:
        yield StandInKernel()
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_request_that_runs_no_user_code_ignores_sigint(kernel: StandInKernel) -> None:
    assert kernel.handle("kernel_info_request") is signal.default_int_handler

    assert quiet_shutdown(kernel, stop_spark=lambda: None) is True

    assert kernel.handle("kernel_info_request") is signal.SIG_IGN
    assert kernel.handle("is_complete_request") is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_cell_can_still_be_interrupted(kernel: StandInKernel) -> None:
    quiet_shutdown(kernel, stop_spark=lambda: None)

    assert kernel.handle("execute_request") is signal.default_int_handler
    assert kernel.handle("comm_msg") is signal.default_int_handler


def test_shutdown_stops_spark_first_then_answers(kernel: StandInKernel) -> None:
    order: list[object] = []
    kernel.shutdowns = order
    assert quiet_shutdown(kernel, stop_spark=lambda: order.append("spark stopped")) is True
    assert quiet_shutdown(kernel) is False  # once per kernel

    assert kernel.do_shutdown(False) == {"status": "ok", "restart": False}
    assert order == ["spark stopped", False]


def test_outside_a_kernel_nothing_is_installed() -> None:
    assert quiet_shutdown() is False

"""The run history, read from the run store (``dwh.runs.store``) without crashing.

The store may be missing, switched off, corrupt or not yet installed; each case
becomes a message in the history view instead of an exception.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dwh.events import Event


class RunRecordLike(Protocol):
    """The fields of ``dwh.runs.store.RunRecord`` the TUI shows."""

    run_id: str
    job: str
    module: str | None
    status: str
    config: dict[str, Any]
    started_at: str | None
    ended_at: str | None
    metrics: dict[str, Any] | None
    error: str | None
    triggered_by_job: str | None
    triggered_by_run_id: str | None

    @property
    def duration_seconds(self) -> float | None:
        """How long the run took, when it has ended."""
        ...


class RunStoreLike(Protocol):
    """The read side of ``dwh.runs.store.RunStore``, plus ``settle_unreported``."""

    def runs(
        self, *, job: str | None = None, status: str | None = None, limit: int = 200
    ) -> list[Any]:
        """Runs, newest first."""
        ...

    def get(self, run_id: str) -> Any:
        """One run, or None."""
        ...

    def events(self, run_id: str) -> list[Event]:
        """A run's events, oldest first."""
        ...

    def children(self, run_id: str) -> list[Any]:
        """The runs ``run_id`` triggered, oldest first."""
        ...

    def settle_unreported(
        self,
        run_id: str,
        status: str,
        *,
        error: str | None,
        streamed: Sequence[Event],
        module: str | None = None,
    ) -> None:
        """Record how a run ended when its process could not (it died)."""
        ...


@dataclass(frozen=True)
class StoreStatus:
    """The opened store, or why there is none.

    Attributes:
        store: The run store, when it could be opened.
        message: Why there is no store (or "" when there is one).
    """

    store: RunStoreLike | None
    message: str = ""


def open_run_store() -> StoreStatus:
    """Open the run store configured by ``$DWH_RUN_STORE`` / ``$DWH_HOME``; never raises.

    The TUI only reads: a store that does not exist yet is not created.
    """
    try:
        module = importlib.import_module("dwh.runs.store")
    except ImportError as exc:
        return StoreStatus(None, f"the run store is not available: {exc}")
    try:
        path = module.store_path_from_env()
        if path is None:
            return StoreStatus(None, "the run store is switched off (DWH_RUN_STORE=off)")
        if not path.is_file():
            return StoreStatus(None, f"No runs recorded yet ({path} does not exist).")
        store = module.RunStore(path, create=False)
    except Exception as exc:
        return StoreStatus(None, f"the run store could not be opened: {_one_line(exc)}")
    return StoreStatus(store)


def close_store(store: RunStoreLike | None) -> None:
    """Close a store opened by :func:`open_run_store`, ignoring errors."""
    close = getattr(store, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


def read_error(exc: BaseException) -> str:
    """A one-line message for a store that failed while being read."""
    return f"the run store could not be read: {_one_line(exc)}"


def format_duration(seconds: float | None) -> str:
    """``1.2s``, ``3m04s`` or ``1h02m``; "" when unknown."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_time(iso: str | None) -> str:
    """``2026-11-25 18:36:16`` from an ISO-8601 UTC time; "" when unknown."""
    if not iso:
        return ""
    return iso.replace("T", " ")[:19]


def key_metrics(metrics: dict[str, Any] | None, limit: int = 3) -> str:
    """The first few metrics as ``key=value``, for a table cell."""
    if not metrics:
        return ""
    parts = [f"{k}={_short(v)}" for k, v in list(metrics.items())[:limit]]
    more = len(metrics) - limit
    return ", ".join(parts) + (f" (+{more})" if more > 0 else "")


def triggered_by(record: RunRecordLike) -> str:
    """``job/run_id`` of the upstream run, or ""."""
    if not record.triggered_by_job:
        return ""
    return f"{record.triggered_by_job}/{record.triggered_by_run_id or '?'}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 24 else text[:21] + "..."


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__

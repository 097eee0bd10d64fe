"""The run history, read from the run store (``dwh.runs.store``) without crashing.

The store may be missing, switched off or corrupt; each case
becomes a message in the history view instead of an exception.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from dwh.errors import one_line
from dwh.runs.store import RunRecord, RunStore


@dataclass(frozen=True)
class StoreStatus:
    """The opened store, or why there is none.

    Attributes:
        store: The run store, when it could be opened.
        message: Why there is no store (or "" when there is one).
    """

    store: RunStore | None
    message: str = ""


def open_run_store() -> StoreStatus:
    """Open the run store configured by ``$DWH_RUN_STORE`` / ``$DWH_HOME``; never raises.

    The TUI only reads: a store that does not exist yet is not created.
    """
    try:
        existing = RunStore.open_existing()
    except Exception as exc:
        return StoreStatus(None, f"the run store could not be opened: {one_line(exc)}")
    if existing.off:
        return StoreStatus(None, "the run store is switched off (DWH_RUN_STORE=off)")
    if existing.store is None:
        return StoreStatus(None, f"No runs recorded yet ({existing.path} does not exist).")
    return StoreStatus(existing.store)


def close_store(store: RunStore | None) -> None:
    """Close a store opened by :func:`open_run_store`, ignoring errors."""
    if store is not None:
        with contextlib.suppress(Exception):
            store.close()


def read_error(exc: BaseException) -> str:
    """A one-line message for a store that failed while being read."""
    return f"the run store could not be read: {one_line(exc)}"


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


def triggered_by(record: RunRecord) -> str:
    """``job/run_id`` of the upstream run, or ""."""
    if not record.triggered_by_job:
        return ""
    return f"{record.triggered_by_job}/{record.triggered_by_run_id or '?'}"


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 24 else text[:21] + "..."

"""What a job knows about the run it is part of: ids, lineage and its redacted config."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dwh.events import Event


def new_run_id() -> str:
    """Return a fresh, sortable run id such as ``20261125T183000Z-3f9a1c``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def config_hash(config: dict[str, Any]) -> str:
    """Return a short, stable hash of a (redacted) config: sha256 of its canonical JSON."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class RunContext:
    """Identity and lineage of one run, injected into the job by its factory.

    Attributes:
        job: The job name.
        run_id: This run's id.
        module: The factory module the run came from, when known.
        config: The job config with secrets redacted (never the real values).
        triggered_by_job: The upstream job, when this run was triggered.
        triggered_by_run_id: The upstream run, when this run was triggered.
        backfill_id: The backfill this run is one date of, if any.
    """

    job: str
    run_id: str = field(default_factory=new_run_id)
    module: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    triggered_by_job: str | None = None
    triggered_by_run_id: str | None = None
    backfill_id: str | None = None

    @property
    def config_hash(self) -> str:
        """The hash of the redacted config."""
        return config_hash(self.config)

    def event(self, name: str, **payload: Any) -> Event:
        """Build an event of this run."""
        return Event(
            event=name,
            job=self.job,
            run_id=self.run_id,
            payload=payload,
            triggered_by_job=self.triggered_by_job,
            triggered_by_run_id=self.triggered_by_run_id,
        )

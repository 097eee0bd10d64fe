"""Stable OpenLineage ids: a UUID for each dwh run id, and dwh's producer URIs.

OpenLineage wants a UUID per run; dwh run ids are ``20261125T183000Z-3f9a1c``. The
UUID is derived from the dwh id, never drawn at random, so both events of a run, a
child's parent facet and ``dwh lineage RUN_ID`` run weeks later all name the same run.

- A dwh id that starts with its UTC second (every generated id does) gives a UUIDv7:
  that second as its timestamp, so runs sort by time in a backend, and a hash of
  the id as its other 74 bits.
- Any other id (``--run_id nightly-1``) gives a UUIDv5 of the id.
- An id that is a UUID already is used as it is.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

from dwh._version import __version__

PROJECT_URL = "https://github.com/dwh-project/dwh"
"""Where dwh lives: the base of the producer URI and of dwh's facet schema URLs."""

PRODUCER = f"{PROJECT_URL}/tree/v{__version__}"
"""The ``producer`` of every event and facet dwh emits."""

FACET_SCHEMA_URL = f"{PROJECT_URL}/blob/v{__version__}/dwh/lineage/schemas/DwhRunFacets.json"
"""The JSON Schema of dwh's own run facets, shipped as ``dwh/lineage/schemas/``."""

_STAMP = "%Y%m%dT%H%M%SZ"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROJECT_URL)


def openlineage_run_id(dwh_id: str, *, kind: str = "run") -> str:
    """Return the OpenLineage runId (a UUID string) of a dwh run or backfill id.

    Args:
        dwh_id: The dwh run id (or backfill id).
        kind: ``run``, or ``backfill`` for a backfill id, so a backfill and a run
            that happen to share an id get different UUIDs.
    """
    try:
        if kind == "run":
            return str(uuid.UUID(dwh_id))
    except ValueError:
        pass
    seed = f"{kind}:{dwh_id}"
    try:
        stamp = datetime.strptime(dwh_id[: len("20261125T183000Z")], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return str(uuid.uuid5(_NAMESPACE, seed))
    return str(_uuid7(int(stamp.timestamp() * 1000), hashlib.sha256(seed.encode()).digest()))


def _uuid7(timestamp_ms: int, digest: bytes) -> uuid.UUID:
    """RFC 9562 UUIDv7: 48-bit milliseconds, version 7, variant 10, the rest from ``digest``."""
    rand = int.from_bytes(digest[:10], "big")  # 80 bits, 74 of them used
    value = (timestamp_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF
    return uuid.UUID(int=value)

"""OpenLineage: every run's lifecycle as OpenLineage run events, for lineage backends.

- :mod:`dwh.lineage._config`: whether lineage is configured (the client's own files and
  variables), and the job namespace. Light: no client import.
- :mod:`dwh.lineage._ids`: the stable UUID of a dwh run id, and dwh's producer URIs.
- :mod:`dwh.lineage._datasets`: dataset names by the OpenLineage naming spec.
- :mod:`dwh.lineage._mapping`: dwh events to ``RunEvent`` objects (imports the client).
- :mod:`dwh.lineage._publisher`: the publisher the job factory adds when configured.
- :mod:`dwh.lineage._history`: a past run's events rebuilt from the run store
  (``dwh lineage RUN_ID``).

The openlineage-python client is imported only when lineage is configured.
"""

from __future__ import annotations

from dwh.lineage._config import (
    DEFAULT_NAMESPACE,
    lineage_configured,
    lineage_disabled,
    lineage_namespace,
)
from dwh.lineage._datasets import dataset_identity
from dwh.lineage._history import rebuild_events, to_json
from dwh.lineage._ids import PRODUCER, openlineage_run_id
from dwh.lineage._publisher import LineagePublisher, lineage_publisher, make_client

__all__ = [
    "DEFAULT_NAMESPACE",
    "PRODUCER",
    "LineagePublisher",
    "dataset_identity",
    "lineage_configured",
    "lineage_disabled",
    "lineage_namespace",
    "lineage_publisher",
    "make_client",
    "openlineage_run_id",
    "rebuild_events",
    "to_json",
]

"""Test helpers shipped with dwh: fakes for every injected service, and a pytest plugin.

With these, a job's whole ``execute_job`` → ``on_success`` path runs without a JVM::

    from dwh.testing import InMemoryReader, RecordingLoader, RecordingEventPublisher

The pytest plugin (:mod:`dwh.testing.plugin`, registered on install) adds a
session-scoped ``spark`` fixture for the tests that do need Spark.
"""

from dwh.testing.fakes import (
    FixedClock,
    InMemoryReader,
    RecordingEventPublisher,
    RecordingLoader,
)

__all__ = ["FixedClock", "InMemoryReader", "RecordingEventPublisher", "RecordingLoader"]

"""Write, audit, then publish: a run's outputs are staged first and published together.

While a job runs, :func:`publishing` holds the run's :class:`Publication`. Each loader
that stages its output (:class:`~dwh.services.loaders.AtomicFolderLoader`, a CSV file,
a catalog table) hands it over instead of committing it at once. When the job's
``execute_job`` returns, the job's audit runs every output's checks on the staged
copies; then either every output is published, in the order they were staged, or none
is and every staging folder is removed. So no check ever looks at data a reader can
already see, and what is published is exactly what was audited.

Outside a run (a loader used on its own, in a test or a notebook cell), loads commit at
once, as before.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

__all__ = ["Publication", "StagedOutput", "current_publication", "publishing"]

log = logging.getLogger(__name__)

_CURRENT: ContextVar[Publication | None] = ContextVar("dwh_publication", default=None)


@dataclass(frozen=True)
class StagedOutput:
    """One output, written and waiting to be published.

    Attributes:
        target: Where it is published (the path the loader was given, or a table).
        read: Returns the staged copy as a DataFrame, to audit.
        commit: Publishes it (an atomic swap for a folder).
        discard: Removes the staged copy; the target stays as it was.
        staged: Where the staged copy is (a folder), for messages; None for a table.
    """

    target: str
    read: Callable[[], Any]
    commit: Callable[[], None]
    discard: Callable[[], None]
    staged: str | None = None


class Publication:
    """The outputs a run has staged, published all together or not at all."""

    def __init__(self) -> None:
        self.staged: list[StagedOutput] = []
        self.published: list[str] = []

    def stage(self, output: StagedOutput) -> None:
        """Hold ``output`` until :meth:`publish` (a second one for a target replaces it)."""
        for earlier in [s for s in self.staged if s.target == output.target]:
            earlier.discard()
            self.staged.remove(earlier)
        self.staged.append(output)

    def publish(self) -> None:
        """Publish every staged output, in the order they were staged."""
        while self.staged:
            output = self.staged[0]
            output.commit()
            self.staged.pop(0)
            self.published.append(output.target)

    def discard(self) -> None:
        """Remove every staged copy that was not published; never raises."""
        while self.staged:
            output = self.staged.pop()
            try:
                output.discard()
            except Exception as exc:  # a leftover is deleted by the next load's recovery
                log.debug("could not remove the staged copy of %s: %s", output.target, exc)


def current_publication() -> Publication | None:
    """The running job's publication, or None outside a run (loads commit at once)."""
    return _CURRENT.get()


@contextlib.contextmanager
def publishing() -> Iterator[Publication]:
    """Hold a run's publication; whatever is still staged when the block ends is removed."""
    publication = Publication()
    token = _CURRENT.set(publication)
    try:
        yield publication
    finally:
        _CURRENT.reset(token)
        publication.discard()

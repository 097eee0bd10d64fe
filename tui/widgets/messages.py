"""Messages that more than one widget posts; a widget's own messages live in its class.

A widget says what the user asked for and the screen that owns it decides where to
go (:class:`tui.screens.main.MainScreen` pushes the screens), so widgets never import
screens (an import-linter contract in ``pyproject.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual.message import Message

from tui.checks import failing_samples

if TYPE_CHECKING:
    from textual.widget import Widget

__all__ = ["FailingRowsRequested", "PreviewRequested", "ask_failing_rows"]


class PreviewRequested(Message):
    """The user asked to preview a run's outputs (the history view, the run console).

    Attributes:
        outputs: Output name to path, as the run recorded them.
        title: What the preview's header says, such as ``run 20261125T183000Z-aaaaaa``.
    """

    def __init__(self, outputs: Mapping[str, str], *, title: str) -> None:
        super().__init__()
        self.outputs = dict(outputs)
        self.title = title


class FailingRowsRequested(Message):
    """The user asked for the sample rows of the checks that failed (the run console).

    Attributes:
        samples: Per check (``output · check``), its sample rows and failing-row count
            (:func:`tui.checks.failing_samples`).
        title: What the preview's header says.
    """

    def __init__(self, samples: Mapping[str, Mapping[str, Any]], *, title: str) -> None:
        super().__init__()
        self.samples = {label: dict(sample) for label, sample in samples.items()}
        self.title = title


def ask_failing_rows(sender: Widget, audits: list[dict[str, Any]], run_id: str) -> None:
    """Post :class:`FailingRowsRequested` for a run's failed checks, or say there are none.

    Args:
        sender: The widget or screen the user pressed the key in.
        audits: The run's ``checks_finished`` payloads.
        run_id: The run, for the preview's title.
    """
    samples = failing_samples(audits)
    if not samples:
        sender.notify("no check of this run has failing rows", severity="warning")
        return
    sender.post_message(FailingRowsRequested(samples, title=f"run {run_id} · failing rows"))

"""A run id names the outputs its ``job_succeeded`` event recorded in the run store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dwh.errors import DwhError, PreviewTargetError
from dwh.preview._layout import find_layout
from dwh.services.atomic_commit import local_path

if TYPE_CHECKING:
    from dwh.runs.store import RunRecord, RunStore


@dataclass(frozen=True)
class RunOutput:
    """One output a run recorded.

    Attributes:
        name: Its name in the job (``output_path``, ``rejects_path``).
        path: Where it was written.
        format: What is there now (``parquet``...), or None when it can't be read.
        row_count: Its exact row count now, or None when it can't be read.
        problem: Why it can't be read (moved, deleted, remote), or "".
    """

    name: str
    path: str
    format: str | None
    row_count: int | None
    problem: str = ""


def find_run(store: RunStore | None, run_id: str) -> RunRecord | None:
    """Return the run, or None when there is no store or no such run."""
    return None if store is None else store.get(run_id)


def recorded_outputs(record: RunRecord) -> dict[str, str]:
    """Return the run's outputs, name to path.

    Raises:
        PreviewTargetError: The run recorded none (it failed, or still runs).
    """
    if not record.outputs:
        raise PreviewTargetError(
            f"run {record.run_id} ({record.job}, {record.status}) recorded no outputs"
        )
    return dict(record.outputs)


def pick_output(record: RunRecord, name: str | None) -> tuple[str, str]:
    """Return the (name, path) of the output to preview.

    Raises:
        PreviewTargetError: No outputs, an unknown name, or several and none named.
    """
    outputs = recorded_outputs(record)
    names = ", ".join(outputs)
    if name is None:
        if len(outputs) == 1:
            return next(iter(outputs.items()))
        raise PreviewTargetError(
            f"run {record.run_id} has {len(outputs)} outputs ({names}); pick one with --output"
        )
    if name not in outputs:
        raise PreviewTargetError(
            f"--output {name!r} is not an output of run {record.run_id} (its outputs: {names})"
        )
    return name, outputs[name]


def describe_outputs(record: RunRecord) -> list[RunOutput]:
    """Return each recorded output with its format and row count as it is now.

    Local outputs are counted with pyarrow (Parquet from the footers); remote ones are
    listed without a count, which would need Spark.

    Raises:
        PreviewTargetError: The run recorded no outputs.
    """
    from dwh.preview._arrow import count_rows

    described = []
    for name, path in recorded_outputs(record).items():
        local = local_path(path)
        if local is None:
            described.append(RunOutput(name, path, None, None, "remote: preview it to count"))
            continue
        try:
            layout = find_layout(local)
            count = count_rows(layout)
        except DwhError as err:
            described.append(RunOutput(name, path, None, None, str(err)))
        except (OSError, ValueError) as exc:
            described.append(RunOutput(name, path, None, None, f"cannot read: {exc}"))
        else:
            described.append(RunOutput(name, path, layout.format, count))
    return described

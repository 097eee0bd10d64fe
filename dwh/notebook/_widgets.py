"""The ipywidgets the notebook form is made of: one input per field, and the run's view.

:func:`make_input` picks the widget from a :class:`~dwh.notebook.fields.FieldSpec`;
:class:`RunView` shows a run live (where it runs, its lifecycle events, one progress bar
per Spark stage from ``spark_progress`` events), then its metrics, its outputs and a
preview of each (:func:`dwh.notebook.preview`: row count, schema, first rows), or its
one-line error.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from dwh.events import EventName
from dwh.notebook.display import check_rows, metric_rows
from dwh.notebook.fields import NO_CHOICE, FieldKind, FieldSpec

if TYPE_CHECKING:
    from dwh.events import Event
    from dwh.notebook.runs import NotebookRun

_LABEL = {"description_width": "190px"}
_WIDE = w.Layout(width="640px")
# A bounded box needs both ends; a schema with only a lower bound gets a huge upper one.
_NO_MAX = 2**53
PREVIEW_ROWS = 10
"""How many rows of each output the form shows after a run."""


def make_input(spec: FieldSpec) -> w.ValueWidget:
    """Return the input widget for ``spec``, holding its initial value."""
    common: dict[str, Any] = {
        "description": spec.name + (" *" if spec.required else ""),
        "tooltip": spec.help,
        "style": _LABEL,
        "layout": _WIDE,
    }
    value = spec.initial()
    widget: w.ValueWidget
    if spec.kind is FieldKind.BOOLEAN:
        widget = w.Checkbox(value=bool(value), indent=False, **common)
    elif spec.kind is FieldKind.CHOICE:
        options = list(spec.choices) if spec.required else [NO_CHOICE, *spec.choices]
        widget = w.Dropdown(
            options=options, value=value if value in options else options[0], **common
        )
    elif spec.kind is FieldKind.DATE:
        widget = w.DatePicker(value=value, **common)
    elif spec.kind is FieldKind.JSON:
        widget = w.Textarea(value=value, placeholder="JSON", rows=3, **common)
    elif spec.numeric_text:
        widget = w.Text(value=value, placeholder="a number, or empty for the default", **common)
    elif spec.kind is FieldKind.INTEGER:
        widget = _integer(spec, value, common)
    elif spec.kind is FieldKind.NUMBER:
        widget = _number(spec, value, common)
    else:
        widget = w.Text(value=value, **common)
    widget.add_class(f"dwh-field-{spec.name}")
    return widget


def _integer(spec: FieldSpec, value: Any, common: dict[str, Any]) -> w.ValueWidget:
    if not spec.bounded:
        return w.IntText(value=value or 0, **common)
    low = int(spec.minimum) if spec.minimum is not None else -_NO_MAX
    high = int(spec.maximum) if spec.maximum is not None else _NO_MAX
    return w.BoundedIntText(value=value or max(low, 0), min=low, max=high, **common)


def _number(spec: FieldSpec, value: Any, common: dict[str, Any]) -> w.ValueWidget:
    if not spec.bounded:
        return w.FloatText(value=value or 0.0, **common)
    low = float(spec.minimum) if spec.minimum is not None else -float(_NO_MAX)
    high = float(spec.maximum) if spec.maximum is not None else float(_NO_MAX)
    return w.BoundedFloatText(value=value or max(low, 0.0), min=low, max=high, **common)


def help_line(spec: FieldSpec) -> w.HTML:
    """The field's description under its input (the tooltip holds it too)."""
    text = html.escape(spec.help)
    return w.HTML(f"<div style='margin-left:196px;color:#666;font-size:90%'>{text}</div>")


class RunView:
    """A run, shown live: status line, events, Spark stage bars, then metrics and outputs.

    Attributes:
        previews: One HTML block per output of a successful run: its name, path,
            format, exact row count, schema and first rows.
    """

    def __init__(self) -> None:
        self.status = w.HTML()
        self.status.add_class("dwh-run-status")
        self.events = w.HTML()
        self.events.add_class("dwh-run-events")
        self.stages = w.VBox()
        self.stages.add_class("dwh-run-stages")
        self.metrics = w.HTML()
        self.metrics.add_class("dwh-run-metrics")
        self.checks = w.HTML()
        self.checks.add_class("dwh-run-checks")
        self.outputs = w.HTML()
        self.outputs.add_class("dwh-run-outputs")
        self.previews = w.VBox()
        self.previews.add_class("dwh-run-previews")
        self.widget = w.VBox(
            [
                self.status,
                self.stages,
                self.events,
                self.checks,
                self.metrics,
                self.outputs,
                self.previews,
            ]
        )
        self._rows: list[tuple[str, str, str, str]] = []
        self._bars: dict[int, w.IntProgress] = {}
        self._where = ""

    def start(self, job: str, run_id: str | None, where: str = "") -> None:
        """Clear the last run and say this one started, and where (``PreparedRun.where``)."""
        self._rows.clear()
        self._bars.clear()
        self._where = where
        self.stages.children = ()
        self.previews.children = ()
        for part in (self.events, self.checks, self.metrics, self.outputs):
            part.value = ""
        label = f" (run {run_id})" if run_id else ""
        place = f" {where}" if where else ""
        self.status.value = f"<b>running {html.escape(job)}{html.escape(label + place)}…</b>"

    def on_event(self, event: Event) -> None:
        """Show one event as it is published (called from the job's thread)."""
        payload = event.payload
        if event.event == EventName.SPARK_PROGRESS:
            self._progress(payload)
            return
        phase = payload.get("phase") or ""
        rows = payload.get("rows")
        seconds = payload.get("seconds")
        self._rows.append(
            (
                str(event.event),
                str(phase),
                "" if rows is None else str(rows),
                "" if seconds is None else f"{seconds}s",
            )
        )
        self.events.value = _table(("event", "phase", "rows", "seconds"), self._rows)

    def _progress(self, payload: Mapping[str, Any]) -> None:
        stage = int(payload.get("stage_id", 0))
        total = max(int(payload.get("tasks_total") or 0), 1)
        done = int(payload.get("tasks_done") or 0)
        bar = self._bars.get(stage)
        if bar is None:
            bar = w.IntProgress(min=0, max=total, description=f"stage {stage}")
            bar.add_class("dwh-stage-bar")
            self._bars[stage] = bar
            self.stages.children = (*self.stages.children, bar)
        bar.max = total
        bar.value = min(done, total)
        failed = int(payload.get("tasks_failed") or 0)
        bar.bar_style = "danger" if failed else ("success" if done >= total else "info")

    def finish(self, run: NotebookRun) -> None:
        """Show how the run ended: checks, metrics and outputs, or the one-line error."""
        checks = [
            (row["output"], row["check"], row["severity"], row["status"], str(row["failing_rows"]))
            for row in check_rows(run.checks)
        ]
        self.checks.value = (
            "<h4>Checks</h4>"
            + _table(("output", "check", "severity", "status", "failing rows"), checks)
            if checks
            else ""
        )
        if run.succeeded:
            # The status line goes last: once it says "succeeded", everything is shown.
            outputs = [(name, path, _row_count(path)) for name, path in run.outputs.items()]
            self.outputs.value = (
                "<h4>Outputs</h4>" + _table(("output", "path", "rows"), outputs) if outputs else ""
            )
            self.previews.children = tuple(
                preview_block(name, path) for name, path in run.outputs.items()
            )
            rows = [(str(r["metric"]), str(r["value"])) for r in metric_rows(run.metrics)]
            self.metrics.value = "<h4>Metrics</h4>" + _table(("metric", "value"), rows)
            # The summary without its JSON body: the metrics are the table above.
            line = f"job '{run.job}' succeeded in {run.timing} (run {run.run_id})"
            line += f" {self._where}" if self._where else ""
            self.status.value = f"<b style='color:#2a7d2a'>{html.escape(line)}</b>"
        else:
            self.status.value = f"<b style='color:#b00020'>{html.escape(run.summary())}</b>"

    def fail(self, message: str) -> None:
        """Show an error raised before the job ran (the module or config check)."""
        self.status.value = f"<b style='color:#b00020'>{html.escape(message)}</b>"


def preview_block(name: str, path: str, limit: int = PREVIEW_ROWS) -> w.HTML:
    """One output's preview: name, path, format, exact row count, schema, first rows.

    An output that cannot be previewed (gone, empty, unreadable) shows the one-line
    reason instead, in the words of ``dwh preview``.
    """
    from dwh.errors import DwhError
    from dwh.notebook.data import preview

    title = f"<h4>Preview: {html.escape(name)} <small>{html.escape(path)}</small></h4>"
    try:
        frame = preview(path, limit=limit)
    except DwhError as err:
        body = f"<div style='color:#b00020'>{html.escape(f'{type(err).__name__}: {err}')}</div>"
    else:
        attrs = frame.attrs
        count = int(attrs["row_count"])
        shown = min(len(frame), count)
        summary = f"{count:,} rows ({attrs['format']}); the first {shown} shown"
        schema = ", ".join(f"{c['name']}: {c['type']}" for c in attrs["schema"])
        cells = [tuple(_cell(v) for v in row) for row in frame.itertuples(index=False)]
        body = (
            f"<div class='dwh-preview-count'>{html.escape(summary)}</div>"
            f"<div class='dwh-preview-schema' style='color:#666'>{html.escape(schema)}</div>"
            + _table(tuple(html.escape(str(c)) for c in frame.columns), cells)
        )
    block = w.HTML(title + body)
    block.add_class("dwh-run-preview")
    return block


def _cell(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _row_count(path: str) -> str:
    """The rows in a parquet output, read from the files' footers (no Spark)."""
    import pyarrow.dataset as ds  # type: ignore[import-untyped]

    try:
        return f"{ds.dataset(path, format='parquet', partitioning='hive').count_rows():,}"
    except Exception as exc:  # a non-parquet or remote output: say why there is no count
        return f"not counted ({type(exc).__name__})"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{h}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px'>{html.escape(cell)}</td>" for cell in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

"""dwh lifecycle events to OpenLineage ``RunEvent``s, built with the openlineage-python client.

===================================  ==========================================
dwh                                  OpenLineage
===================================  ==========================================
``job_started``                      ``START``
``job_succeeded``                    ``COMPLETE``, with inputs and outputs
``job_failed``                       ``FAIL`` with ``errorMessage``
``job_failed`` with ``cancelled``    ``ABORT``
``phase_finished``, progress         nothing
===================================  ==========================================

This module imports the client at import time: import it only when lineage is on.
"""

from __future__ import annotations

from typing import Any

import attr
from openlineage.client.event_v2 import (
    InputDataset,
    Job,
    OutputDataset,
    Run,
    RunEvent,
    RunState,
)
from openlineage.client.facet_v2 import (
    DatasetFacet,
    JobFacet,
    RunFacet,
    data_quality_assertions_dataset,
    data_quality_metrics_dataset,
    error_message_run,
    job_type_job,
    parent_run,
    schema_dataset,
)

from dwh.events import Event, EventName
from dwh.lineage._datasets import dataset_identity
from dwh.lineage._ids import FACET_SCHEMA_URL, PRODUCER, openlineage_run_id

BACKFILL_SUFFIX = ".backfill"
"""A backfill's parent job is ``<job>.backfill``."""


@attr.define
class DwhRunFacet(RunFacet):
    """``dwh_run``: the dwh run id and job, and at the start the redacted config and its hash."""

    runId: str
    job: str
    config: dict[str, Any] | None = attr.field(default=None)
    configHash: str | None = attr.field(default=None)
    backfillId: str | None = attr.field(default=None)
    triggeredByJob: str | None = attr.field(default=None)
    triggeredByRunId: str | None = attr.field(default=None)

    @staticmethod
    def _get_schema() -> str:
        return f"{FACET_SCHEMA_URL}#/$defs/DwhRunFacet"


@attr.define
class DwhMetricsRunFacet(RunFacet):
    """``dwh_metrics``: what the job returned, on ``COMPLETE``."""

    metrics: dict[str, Any] = attr.field(factory=dict)

    @staticmethod
    def _get_schema() -> str:
        return f"{FACET_SCHEMA_URL}#/$defs/DwhMetricsRunFacet"


@attr.define
class DataQualityMetrics(data_quality_metrics_dataset.DataQualityMetricsDatasetFacet):
    """The spec's ``DataQualityMetricsDatasetFacet``, named by its published 1-0-0 schema.

    openlineage-python 1.54 names a 1-0-1 schema that the spec repository does not
    publish; the fields dwh sets (``rowCount``, ``columnMetrics.nullCount``) are 1-0-0's.
    """

    @staticmethod
    def _get_schema() -> str:
        return (
            "https://openlineage.io/spec/facets/1-0-0/DataQualityMetricsDatasetFacet.json"
            "#/$defs/DataQualityMetricsDatasetFacet"
        )


class RunEventMapper:
    """Turns the events of dwh runs into OpenLineage run events.

    Keeps what a run's ``job_started`` said (its backfill) for the run's later events,
    so one mapper serves a whole process or a replay of a stored run.

    Args:
        namespace: The OpenLineage job namespace.
    """

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._backfills: dict[str, str] = {}
        self._audits: dict[str, dict[str, dict[str, Any]]] = {}

    def map(self, event: Event, *, stack_trace: str | None = None) -> RunEvent | None:
        """Return the OpenLineage event for ``event``, or None for events without one.

        Args:
            event: A dwh lifecycle event.
            stack_trace: For ``job_failed``, the traceback to report (``--debug`` only).
        """
        payload = event.payload
        if event.event == EventName.CHECKS_FINISHED:
            self._audits.setdefault(event.run_id, {})[str(payload.get("output"))] = payload
            return None
        if event.event == EventName.JOB_STARTED:
            if payload.get("backfill_id"):
                self._backfills[event.run_id] = str(payload["backfill_id"])
            return self._event(event, RunState.START, self._run_facets(event, start=True))
        if event.event == EventName.JOB_SUCCEEDED:
            facets = self._run_facets(event)
            facets["dwh_metrics"] = DwhMetricsRunFacet(
                metrics=_json_object(payload.get("metrics")), producer=PRODUCER
            )
            return self._event(
                event,
                RunState.COMPLETE,
                facets,
                inputs=payload.get("inputs") or {},
                outputs=payload.get("outputs") or {},
                schemas=payload.get("output_schemas") or {},
            )
        if event.event == EventName.JOB_FAILED:
            facets = self._run_facets(event)
            cancelled = bool(payload.get("cancelled"))
            message = str(payload.get("error_message") or payload.get("error_type") or "failed")
            facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
                message=message,
                programmingLanguage="python",
                stackTrace=stack_trace,
                producer=PRODUCER,
            )
            audited = self._audits.get(event.run_id, {})
            return self._event(
                event,
                RunState.ABORT if cancelled else RunState.FAIL,
                facets,
                inputs=payload.get("inputs") or {},
                # The outputs the audit held back: their checks say why the run failed.
                outputs={name: str(audit.get("path")) for name, audit in audited.items()},
            )
        return None

    def ended_unreported(
        self, job: str, run_id: str, *, at: str, status: str, error: str | None
    ) -> RunEvent | None:
        """Return the final event of a run whose process never sent one (killed, lost)."""
        payload: dict[str, Any] = {
            "error_type": status,
            "error_message": error or f"the run ended without a final event ({status})",
            "cancelled": status == "cancelled",
        }
        return self.map(Event(EventName.JOB_FAILED, job, run_id, payload, at=at))

    def _event(
        self,
        event: Event,
        state: RunState,
        run_facets: dict[str, RunFacet],
        *,
        inputs: dict[str, str] | None = None,
        outputs: dict[str, str] | None = None,
        schemas: dict[str, Any] | None = None,
    ) -> RunEvent:
        job_facets: dict[str, JobFacet] = {
            "jobType": job_type_job.JobTypeJobFacet(
                processingType="BATCH", integration="DWH", jobType="JOB", producer=PRODUCER
            )
        }
        return RunEvent(
            eventType=state,
            eventTime=event.at,
            run=Run(runId=openlineage_run_id(event.run_id), facets=run_facets),
            job=Job(namespace=self.namespace, name=event.job, facets=job_facets),
            inputs=[_input(path) for path in _paths(inputs)],
            outputs=[
                _output(
                    path,
                    (schemas or {}).get(name),
                    self._audits.get(event.run_id, {}).get(name),
                )
                for name, path in _items(outputs)
            ],
            producer=PRODUCER,
        )

    def _run_facets(self, event: Event, *, start: bool = False) -> dict[str, RunFacet]:
        backfill = self._backfills.get(event.run_id)
        dwh = DwhRunFacet(
            runId=event.run_id,
            job=event.job,
            config=_json_object(event.payload.get("config")) if start else None,
            configHash=event.payload.get("config_hash") if start else None,
            backfillId=backfill,
            triggeredByJob=event.triggered_by_job,
            triggeredByRunId=event.triggered_by_run_id,
            producer=PRODUCER,
        )
        facets: dict[str, RunFacet] = {"dwh_run": dwh}
        parent = self._parent(event, backfill)
        if parent is not None:
            facets["parent"] = parent
        return facets

    def _parent(self, event: Event, backfill: str | None) -> parent_run.ParentRunFacet | None:
        """The triggering run, else the backfill; a triggered run of a backfill has it as root."""
        backfill_run = backfill_job = None
        if backfill:
            backfill_run = parent_run.Run(runId=openlineage_run_id(backfill, kind="backfill"))
            backfill_job = parent_run.Job(
                namespace=self.namespace, name=f"{event.job}{BACKFILL_SUFFIX}"
            )
        if event.triggered_by_run_id and event.triggered_by_job:
            root = None
            if backfill:
                root = parent_run.Root(
                    run=parent_run.RootRun(runId=backfill_run.runId),  # type: ignore[union-attr]
                    job=parent_run.RootJob(namespace=self.namespace, name=backfill_job.name),  # type: ignore[union-attr]
                )
            return parent_run.ParentRunFacet(
                run=parent_run.Run(runId=openlineage_run_id(event.triggered_by_run_id)),
                job=parent_run.Job(namespace=self.namespace, name=event.triggered_by_job),
                root=root,
                producer=PRODUCER,
            )
        if backfill_run is not None and backfill_job is not None:
            return parent_run.ParentRunFacet(run=backfill_run, job=backfill_job, producer=PRODUCER)
        return None


def _items(mapping: dict[str, str] | None) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in (mapping or {}).items() if v]


def _paths(mapping: dict[str, str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for _, path in _items(mapping):
        seen.setdefault(path)
    return list(seen)


def _input(path: str) -> InputDataset:
    namespace, name = dataset_identity(path)
    return InputDataset(namespace=namespace, name=name)


def _output(path: str, schema: Any, audit: dict[str, Any] | None = None) -> OutputDataset:
    namespace, name = dataset_identity(path)
    facets: dict[str, DatasetFacet] = {} if audit is None else _quality_facets(audit)
    if isinstance(schema, list) and schema:
        fields = [
            schema_dataset.SchemaDatasetFacetFields(name=str(f["name"]), type=f.get("type"))
            for f in schema
            if isinstance(f, dict) and f.get("name")
        ]
        facets["schema"] = schema_dataset.SchemaDatasetFacet(fields=fields, producer=PRODUCER)
    return OutputDataset(namespace=namespace, name=name, facets=facets)


def _quality_facets(audit: dict[str, Any]) -> dict[str, Any]:
    """The spec's data quality facets of one audited output (a ``checks_finished`` payload).

    ``dataQualityAssertions`` is defined as an input-dataset facet (a consumer's tests
    of what it read); dwh's checks are the producer's tests of what it wrote, so dwh
    puts it in the output dataset's ``facets``, with ``dataQualityMetrics`` beside it.
    """
    assertions = [
        data_quality_assertions_dataset.Assertion(
            assertion=str(check["check"]),
            success=check["status"] != "failed" and check["failing_rows"] == 0,
            column=", ".join(check.get("columns") or []) or None,
            severity=str(check["severity"]),
            name=str(check["name"]),
            actual=f"{check['failing_rows']} failing rows",
        )
        for check in audit.get("checks") or []
    ]
    columns = {
        str(column): data_quality_metrics_dataset.ColumnMetrics(nullCount=int(count))
        for column, count in (audit.get("null_counts") or {}).items()
    }
    rows = audit.get("row_count")
    return {
        "dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
            assertions=assertions, producer=PRODUCER
        ),
        "dataQualityMetrics": DataQualityMetrics(
            columnMetrics=columns, rowCount=None if rows is None else int(rows), producer=PRODUCER
        ),
    }


def _json_object(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {"value": value}

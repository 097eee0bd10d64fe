"""Run a job from a notebook through the same ``main(**kwargs)`` as the generic entry.

The notebooks under ``notebooks/`` are a third front door to the job code, next to the
generic entry and pytest. They hold no job logic: they call this module, which

1. checks the module name against the allowed job packages and imports it, with the
   same errors as the command line (:func:`dwh.entry.load_job_main`);
2. validates the config through the job's own factory and model before any Spark
   session exists, so a bad config fails the first cell with the
   :class:`~dwh.errors.ConfigError` text the command line prints;
3. calls the factory module's ``main(**kwargs)`` with a
   :class:`~dwh.testing.RecordingEventPublisher` injected as ``event_publisher``, so the
   notebook can show the lifecycle events; the factory still sends them wherever it
   always does (the run store, an events stream).

::

    prepared = prepare_run("dwh.jobs.noop.noop_job_factory", '{"message": "hi"}')
    run = prepared.execute()
    run.raise_for_failure()
    write_result(run, "result.json")

``preview(run_or_path)`` shows what a run wrote: the first rows as a pandas DataFrame
with the exact row count and schema in its ``attrs`` (:mod:`dwh.preview`).
``diff(run_or_path)`` shows what it changed against the version it replaced: the
one-line summary and a DataFrame of the changed rows, old beside new (:mod:`dwh.diff`).

The config may be a dict (papermill ``-y``/``-f``) or JSON text (papermill ``-p``
passes strings); text is decoded with :mod:`json`, never evaluated. pyspark is
imported only when the job runs with Spark.

``form("filter_images")`` (:mod:`dwh.notebook.form`) is the interactive way to write the
same config: an ipywidgets form built from the job's JSON Schema. ``use_project_root()``
makes relative paths resolve against the project root from any working directory.
"""

from dwh.notebook.backfill import backfill
from dwh.notebook.data import NotebookDiff, diff, preview
from dwh.notebook.display import check_rows, event_rows, metric_rows, plot_counts
from dwh.notebook.fields import FieldKind, FieldSpec, field_specs
from dwh.notebook.form import ConfigForm, form
from dwh.notebook.outputs import strip_outputs
from dwh.notebook.paths import project_root, use_project_root
from dwh.notebook.runs import (
    RESULT_VERSION,
    NotebookRun,
    PreparedRun,
    SparkInfo,
    prepare_run,
    run_job,
    write_result,
)

__all__ = [
    "RESULT_VERSION",
    "ConfigForm",
    "FieldKind",
    "FieldSpec",
    "NotebookDiff",
    "NotebookRun",
    "PreparedRun",
    "SparkInfo",
    "backfill",
    "check_rows",
    "diff",
    "event_rows",
    "field_specs",
    "form",
    "metric_rows",
    "plot_counts",
    "prepare_run",
    "preview",
    "project_root",
    "run_job",
    "strip_outputs",
    "use_project_root",
    "write_result",
]

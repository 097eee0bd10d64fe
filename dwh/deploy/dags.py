"""What the DAGs hold: one per trigger chain, a task per job, each task's entry argv.

:func:`plan_dags` reads the registry, the trigger map and each job's production
config (``<configs>/<job>/prod.json``) and returns one :class:`DagPlan` per chain: the
jobs the map links, upstream to downstream, or a job that no trigger links. Nothing
here knows an operator or writes a file (:mod:`dwh.deploy.airflow` does).

A task's config is built the way the trigger runner builds it
(:func:`dwh.triggers.trigger_map.downstream_config`), with the job's production
config over the trigger's ``config`` (the map's fixed values are the local chain's;
production's are in ``prod.json``): the trigger's ``config``, then the production
config, then the trigger's ``map``, then the lineage fields. What the
local runner reads from the finished upstream run, a static DAG must know before it
runs, so a ``map`` source resolves at generation time:

- ``job``, ``run_id``: the upstream task's job and run id (``triggered_by_run_id``);
- ``config.<name>``: the upstream task's config value, redacted as the runner does;
- ``outputs.<name>``: the upstream job's parameter of that name (its factory's
  ``job_params``), which is what a job records its outputs under, e.g.
  ``transform_images``' ``output_path``;
- ``metrics.<name>`` and ``at`` are known only once the upstream run has ended: a
  :class:`~dwh.errors.DeployError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dwh.backfill.plan import dates_independent
from dwh.backfill.template import DEFAULT_DATE_FIELD, date_renderer, fill_placeholders
from dwh.config import parse_config
from dwh.config_file import read_json_file
from dwh.deploy._templating import DS, JinjaConfig, date_expression, run_id_template
from dwh.errors import DeployError
from dwh.redaction import MIN_SECRET_LENGTH, redact, secret_values
from dwh.registry import JobInfo, discover_jobs, find_job, load_factory
from dwh.triggers.trigger_map import Trigger, TriggerMap, resolve

if TYPE_CHECKING:
    from dwh.jobs.abstract_job_factory import AbstractJobFactory

PROD_CONFIG = "prod.json"
"""A job's production config: ``<configs>/<job>/prod.json``."""

_SAMPLE_DAY = dt.date(2000, 1, 1)  # validates a config whose date is Airflow's, not yet known


@dataclass(frozen=True)
class TaskPlan:
    """One task: a job run through the generic entry.

    Attributes:
        task_id: The Airflow task id (the job name).
        job: The job name.
        module: Its factory module (``--module_name``).
        config: The config as JSON text with Jinja in it (``--<job>_job``).
        has_spark: ``--has_spark``.
        run_id: The run id as Jinja (``--run_id``).
        upstream: The task whose success starts this one, if any.
        variables: The Airflow Variables the config reads its secrets from, by path.
    """

    task_id: str
    job: str
    module: str
    config: str
    has_spark: bool
    run_id: str
    upstream: str | None = None
    variables: dict[str, str] = field(default_factory=dict)

    def argv(self) -> list[str]:
        """The generic entry's arguments, as ``spark-submit ... generic_entry.py`` gets them."""
        return [
            "--module_name",
            self.module,
            f"--{self.job}_job",
            self.config,
            "--has_spark",
            "true" if self.has_spark else "false",
            "--run_id",
            self.run_id,
        ]

    @property
    def config_digest(self) -> str:
        """A short hash of the templated config, for the drift check's message."""
        return hashlib.sha256(self.config.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class DagPlan:
    """One DAG: a trigger chain.

    Attributes:
        dag_id: The DAG id, ``<prefix><first job>``.
        tasks: The tasks, upstream before downstream.
        sequential: True unless every job's dates are independent: then a DAG run
            waits for the previous one (``max_active_runs=1``), as ``dwh backfill``
            runs dates one at a time.
    """

    dag_id: str
    tasks: tuple[TaskPlan, ...]
    sequential: bool

    @property
    def edges(self) -> list[tuple[str, str]]:
        """Every dependency, ``(upstream task, downstream task)``."""
        return [(t.upstream, t.task_id) for t in self.tasks if t.upstream is not None]

    @property
    def jobs(self) -> list[str]:
        """The jobs, in task order."""
        return [t.job for t in self.tasks]


@dataclass
class _Built:
    """A planned task, with what its downstream tasks resolve ``map`` sources against."""

    plan: TaskPlan
    builder: JinjaConfig
    templated: dict[str, Any]
    params: dict[str, Any]


def plan_dags(
    jobs: Sequence[str] = (),
    *,
    trigger_map: TriggerMap,
    configs: Path,
    dag_id_prefix: str = "dwh_",
    variable_prefix: str = "dwh_secret_",
) -> list[DagPlan]:
    """Plan the DAGs of ``jobs``' chains (default: every registered job's), by DAG id.

    With no ``jobs``, a chain holding a job without a production config is left out: it
    is not deployed yet. A job named in ``jobs`` without one is an error.

    Raises:
        UsageError: A job is unknown (from the registry) or the map names an unknown job.
        DeployError: A job has no production config, is triggered by two jobs, or a
            ``map`` source is known only after the upstream run.
        ConfigError: A task's config does not validate.
    """
    registered = {job.name: job for job in discover_jobs()}
    trigger_map.check_jobs(registered)
    wanted = {find_job(name).name for name in jobs}
    upstream = _upstreams(trigger_map, registered)
    plans: list[DagPlan] = []
    for chain in _chains(trigger_map, registered, upstream):
        if wanted and not wanted & set(chain):
            continue
        if not wanted and not all((configs / job / PROD_CONFIG).exists() for job in chain):
            # Every job's chain, unasked: a job with no production config (one just
            # scaffolded) is not deployed yet. A job named on the command line must have one.
            continue
        plans.append(
            _plan_chain(
                chain,
                registered,
                trigger_map,
                upstream,
                configs=configs,
                dag_id=f"{dag_id_prefix}{chain[0]}",
                variable_prefix=variable_prefix,
            )
        )
    return sorted(plans, key=lambda plan: plan.dag_id)


def _upstreams(
    trigger_map: TriggerMap, registered: dict[str, JobInfo]
) -> dict[str, tuple[str, Trigger]]:
    found: dict[str, tuple[str, Trigger]] = {}
    for job in registered:
        for trigger in trigger_map.downstream(job):
            if trigger.job in found:
                raise DeployError(
                    f"trigger map {trigger_map.source}: job '{trigger.job}' is triggered by "
                    f"both '{found[trigger.job][0]}' and '{job}'; an Airflow DAG has one task "
                    "per job, so keep one trigger"
                )
            found[trigger.job] = (job, trigger)
    return found


def _chains(
    trigger_map: TriggerMap,
    registered: dict[str, JobInfo],
    upstream: dict[str, tuple[str, Trigger]],
) -> list[list[str]]:
    """Each chain's jobs, its first job first, then depth first in the map's order."""
    chains = []
    for root in sorted(name for name in registered if name not in upstream):
        chains.append([root, *trigger_map.reachable(root)])
    return chains


def _plan_chain(
    chain: list[str],
    registered: dict[str, JobInfo],
    trigger_map: TriggerMap,
    upstream: dict[str, tuple[str, Trigger]],
    *,
    configs: Path,
    dag_id: str,
    variable_prefix: str,
) -> DagPlan:
    built: dict[str, _Built] = {}
    independent = True
    for job in chain:
        factory = load_factory(registered[job])
        independent = independent and dates_independent(factory)
        parent = upstream.get(job)
        built[job] = _plan_task(
            registered[job],
            factory,
            (built[parent[0]], parent[1]) if parent else None,
            trigger_map,
            configs=configs,
            dag_id=dag_id,
            builder=JinjaConfig(job, variable_prefix),
        )
    return DagPlan(dag_id, tuple(b.plan for b in built.values()), sequential=not independent)


def _plan_task(
    info: JobInfo,
    factory: type[AbstractJobFactory[Any]],
    parent: tuple[_Built, Trigger] | None,
    trigger_map: TriggerMap,
    *,
    configs: Path,
    dag_id: str,
    builder: JinjaConfig,
) -> _Built:
    """One task: its config merged, validated for a sample date, then templated."""
    job = info.name
    merged = _read_prod_config(configs, job)
    has_spark = factory.needs_spark
    lineage: dict[str, Any] = {}
    if parent is not None:
        upstream, trigger = parent
        merged = {**trigger.config, **merged}
        for key, source in trigger.map.items():
            merged[key] = _mapped(source, upstream, builder, dag_id, trigger_map)
        if trigger.has_spark is not None:
            has_spark = trigger.has_spark
        lineage = {
            "triggered_by_job": upstream.plan.job,
            "triggered_by_run_id": builder.slot(run_id_template(dag_id, upstream.plan.task_id)),
        }
    has_date = DEFAULT_DATE_FIELD in factory.config_model.model_fields
    sample = fill_placeholders(merged, date_renderer(_SAMPLE_DAY), date_field=DEFAULT_DATE_FIELD)
    dated = {DEFAULT_DATE_FIELD: _SAMPLE_DAY.isoformat()} if has_date else {}
    parse_config(factory.config_model, {**sample, **dated, **lineage}, job=job)
    templated = fill_placeholders(
        builder.hide_secrets(merged),
        lambda spec: builder.slot(date_expression(spec)),
        date_field=DEFAULT_DATE_FIELD,
    )
    if has_date:
        templated[DEFAULT_DATE_FIELD] = builder.slot(DS)
    templated.update(lineage)
    text = builder.text(templated)
    _refuse_leaked_secrets(job, merged, text)
    model = factory.config_model.model_validate_json(json.dumps({**templated, **dated}))
    plan = TaskPlan(
        task_id=job,
        job=job,
        module=info.module,
        config=text,
        has_spark=has_spark,
        run_id=run_id_template(dag_id, job),
        upstream=parent[0].plan.task_id if parent else None,
        variables=dict(builder.variables),
    )
    return _Built(plan, builder, templated, factory(has_spark=False).job_params(model))


def _read_prod_config(configs: Path, job: str) -> dict[str, Any]:
    path = configs / job / PROD_CONFIG
    if not path.exists():
        raise DeployError(
            f"job '{job}' has no production config: create {path} "
            "(or pass --configs DIR holding <job>/prod.json)"
        )
    data = read_json_file(path, what="production config", error=DeployError)
    if not isinstance(data, dict):
        raise DeployError(f"production config {path} must be a JSON object")
    return data


def _mapped(
    source: str, parent: _Built, builder: JinjaConfig, dag_id: str, trigger_map: TriggerMap
) -> Any:
    """The value a ``map`` source has in a generated DAG (see the module docstring)."""
    upstream = parent.plan.job
    if source == "job":
        return upstream
    if source == "run_id":
        return builder.slot(run_id_template(dag_id, parent.plan.task_id))
    root = source.split(".", 1)[0]
    if root in ("metrics", "at"):
        raise DeployError(
            f"trigger map {trigger_map.source}: '{source}' (from '{upstream}') is known only "
            "when the upstream run has ended, and a generated DAG is fixed before it runs; "
            "map config.<name>, outputs.<name>, job or run_id"
        )
    view = {"config": redact(parent.templated), "outputs": parent.params}
    try:
        value = resolve(source, view)
    except KeyError as exc:
        raise DeployError(
            f"trigger map {trigger_map.source}: {exc.args[0]}; in a generated DAG "
            f"'outputs.<name>' is the parameter <name> of '{upstream}'"
        ) from None
    if isinstance(value, dt.date):
        return builder.slot(DS)
    return builder.transfer(value, parent.builder)


def _refuse_leaked_secrets(job: str, config: dict[str, Any], text: str) -> None:
    for secret in secret_values(config):
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            raise DeployError(
                f"config of job '{job}' repeats a secret outside its secret key (a URL "
                "password or a copied value); it would be written into the DAG file, so "
                "keep it under a secret key only"
            )

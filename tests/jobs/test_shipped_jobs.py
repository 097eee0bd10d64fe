"""The shipped jobs state their exact parameters, and their factories feed them exactly."""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any

import pytest

from dwh.jobs.abstract_job import AbstractJob
from dwh.jobs.abstract_job_factory import valid_params
from dwh.registry import discover_jobs, example_configs, load_factory

JOBS = sorted(discover_jobs(["dwh.jobs"]), key=lambda job: job.name)


def job_class(module: str) -> type[AbstractJob]:
    job_module = importlib.import_module(module.removesuffix("_factory"))
    found = [
        value
        for value in vars(job_module).values()
        if inspect.isclass(value)
        and issubclass(value, AbstractJob)
        and value.__module__ == job_module.__name__
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("job", JOBS, ids=[job.name for job in JOBS])
def test_execute_job_takes_no_kwargs(job: Any) -> None:
    signature = inspect.signature(job_class(job.module).execute_job)

    assert not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    assert "triggered_by_job" not in signature.parameters


CASES = [
    (job, name, config)
    for job in JOBS
    for name, config in {"{}": {}, **example_configs(job.name)}.items()
    if config or job.name == "noop"
]


@pytest.mark.parametrize(
    ("job", "name", "config"), CASES, ids=[f"{job.name}-{name}" for job, name, _ in CASES]
)
def test_the_factory_s_params_match_execute_job_exactly(
    job: Any, name: str, config: dict[str, Any]
) -> None:
    """Every example config, the triggered one too, gives exactly the parameters taken."""
    factory = load_factory(job)(job_config=config)
    params = factory.job_params(factory.parse_job_config(job_config=config))
    # Unbound, without `self`: the signature the factory checks on the job instance.
    execute_job = functools.partial(job_class(job.module).execute_job, None)

    assert valid_params(execute_job, params) == params
    assert not set(params) & {"triggered_by_job", "triggered_by_run_id"}

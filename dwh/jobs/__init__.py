"""Job packages. Each ``dwh.jobs.<job>`` holds ``<job>_job_factory.py`` with ``main(**kwargs)``.

The contracts every job builds on are :mod:`dwh.jobs.abstract_job`,
:mod:`dwh.jobs.abstract_job_factory` and :mod:`dwh.jobs.run_options`; import them from
there (or ``from dwh import AbstractJob, AbstractJobFactory``). Jobs never import each
other (an import-linter contract in pyproject.toml).
"""

__all__: list[str] = []

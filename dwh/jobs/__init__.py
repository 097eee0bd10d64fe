"""Job packages. Each ``dwh.jobs.<job>`` holds ``<job>_job_factory.py`` with ``main(**kwargs)``."""

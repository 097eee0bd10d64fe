"""A job package for lifecycle tests: registered through ``DWH_JOB_PACKAGES``, no Spark."""

"""The ``dwh`` developer command line: list, inspect, validate, run, scaffold, check, package.

::

    dwh list                         # the registered jobs
    dwh show filter_images           # docstring, config fields, example configs
    dwh validate noop '{"message": "hi"}'
    dwh run noop --config examples/configs/noop/example.json
    dwh runs --status failed         # the run store
    dwh diff RUN_ID                  # what the run changed, against the version it replaced
    dwh new my_job                   # scaffold a job that passes `dwh check`
    dwh check                        # verify every job's contract
    dwh package                      # wheel + --py-files zip in dist/, import-checked
    dwh deploy airflow --platform glue   # one Airflow DAG file per trigger chain

Every command but ``run`` stays light: none imports pyspark, and ``run`` does so only
when the job needs Spark. Errors are one line on stderr with the exit code of the
:mod:`dwh.errors` class (2 for bad input); ``--debug`` adds the traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from dwh.cli.app import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dwh`` command line and return its exit code (the console script)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="dwh")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def job_main() -> NoReturn:
    """The generic entry as a console script, ``dwh-job``, exiting with the entry's code.

    For platforms that call an installed entry point rather than a script: a Databricks
    ``python_wheel_task`` (``entry_point: dwh-job``), a container's ``ENTRYPOINT``.
    """
    from dwh.entry import main as entry_main

    sys.exit(entry_main())


__all__ = ["cli", "job_main", "main"]

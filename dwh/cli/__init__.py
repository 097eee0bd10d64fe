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
from typing import TYPE_CHECKING, NoReturn

from dwh._lazy import lazy_exports

if TYPE_CHECKING:
    from dwh.cli.app import cli

__getattr__, __dir__ = lazy_exports(globals(), {"cli": "dwh.cli.app"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dwh`` command line and return its exit code (the console script).

    As the console script (no ``argv``), ``dwh run ... --warm`` is first offered to the
    warm runner (:mod:`dwh.spark._runner_client`), before click or anything heavy is
    imported: its child runs this same command line and this process relays its exit
    code. Without a runner, the command runs here, as always.
    """
    if argv is None and _is_warm_run(sys.argv[1:]):
        from dwh.spark._runner_client import hand_off_or_say

        path0 = None if sys.flags.safe_path else sys.path[0]
        handed = hand_off_or_say("cli", sys.argv[1:], argv0=sys.argv[0], path0=path0)
        if handed is not None:
            return handed
    from dwh.cli.app import cli

    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="dwh")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def _is_warm_run(args: list[str]) -> bool:
    """``[--debug] run ... --warm``, without a help flag or an explicit remote."""
    while args and args[0] == "--debug":
        args = args[1:]
    if not args or args[0] != "run":
        return False
    rest = args[1 : args.index("--")] if "--" in args else args[1:]
    asks_help = any(arg in ("-h", "--help") for arg in rest)
    return (
        "--warm" in rest
        and not asks_help
        and not any(arg.startswith("--spark-remote") for arg in rest)
    )


def job_main() -> NoReturn:
    """The generic entry as a console script, ``dwh-job``, exiting with the entry's code.

    For platforms that call an installed entry point rather than a script: a Databricks
    ``python_wheel_task`` (``entry_point: dwh-job``), a container's ``ENTRYPOINT``.
    """
    from dwh.entry import main as entry_main

    sys.exit(entry_main())


__all__ = ["cli", "job_main", "main"]

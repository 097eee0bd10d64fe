"""Make a warm run's executor code the code on disk now, not what a server worker cached.

A warm server's Python workers outlive runs and keep the modules they imported, and
they import from the server's own ``sys.path``, which may not even hold the job's
package. So functions that a job's own modules hand to ``mapInArrow``,
``mapInPandas`` or a UDF are pickled by value: their code travels with each plan,
taken from the files as this run's process imported them.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)


def job_package(module_name: str) -> str:
    """Return the job's own package: its factory module's parent (``dwh.jobs.<job>``)."""
    return module_name.rpartition(".")[0] or module_name


def pickle_job_code_by_value(module_name: str) -> None:
    """Register the job's package with cloudpickle so its functions ship by value.

    Args:
        module_name: The job's factory module, e.g.
            ``dwh.jobs.filter_images.filter_images_job_factory``.
    """
    from pyspark import cloudpickle

    package = job_package(module_name)
    try:
        cloudpickle.register_pickle_by_value(importlib.import_module(package))  # type: ignore[no-untyped-call]
    except (ImportError, ValueError) as exc:  # a job outside a package ships by reference
        log.debug("job code of %s ships by reference: %s", package, exc)

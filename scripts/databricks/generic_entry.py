"""Generic entry for Databricks (spark_python_task).

Usage::

    spark-submit scripts/databricks/generic_entry.py \
        --module_name dwh.jobs.<job>.<job>_job_factory --<job>_job '<json>' --has_spark true

All logic lives in :mod:`dwh.entry`; the dwh package comes from the installed wheel
or from ``--py-files``, never from this script's folder.
"""

import sys

from dwh.entry import main

if __name__ == "__main__":
    sys.exit(main())

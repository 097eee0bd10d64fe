"""Job packages for lifecycle tests, registered through ``DWH_JOB_PACKAGES``.

``relay`` needs no Spark; ``score_report`` writes a CSV file, ``score_table`` a table.
"""

"""The ``score_report`` test job: parquet in, one CSV report out (a transformer with a parameter)."""

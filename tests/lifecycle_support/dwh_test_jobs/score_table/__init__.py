"""The ``score_table`` test job: CSV in, a partitioned catalog table out."""

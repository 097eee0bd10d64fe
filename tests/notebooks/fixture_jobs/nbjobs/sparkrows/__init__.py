"""A small Spark job for the notebook form's warm tests."""

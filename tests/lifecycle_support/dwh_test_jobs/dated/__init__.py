"""The ``dated`` test job."""

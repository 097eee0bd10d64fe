"""The ``relay`` test job."""

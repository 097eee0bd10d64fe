"""The version of dwh, in one place: the package build reads it too (``[tool.hatch.version]``)."""

__version__ = "0.1.0"

"""Services injected into jobs: protocols, and their Spark and event implementations.

Import the implementations from their modules (``dwh.services.readers`` and so on);
this package imports nothing heavy.
"""

__all__: list[str] = []

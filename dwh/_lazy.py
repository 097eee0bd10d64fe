"""Package names that load on first access (PEP 562), for light package imports.

A package lists where each public name lives; ``from package import Name`` imports
that module only then::

    __getattr__, __dir__ = lazy_exports(globals(), {"RunStore": "dwh.runs.store"})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return a package's ``__getattr__`` and ``__dir__`` for the names in ``homes``.

    Args:
        namespace: The package's ``globals()``; a loaded name is cached there.
        homes: Public name → the module that defines it.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__

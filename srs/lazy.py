"""Names a module offers but defines elsewhere, imported on first use (a PEP 562 module ``__getattr__``).

``srs.model`` and ``srs.decks`` use it so a command's start-up (``srs review``'s first card above all)
does not import what only statistics, exports or deck sync need.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_names(module: str, homes: dict[str, str]) -> Callable[[str], object]:
    """A ``__getattr__`` for ``module``: each name of ``homes`` is taken from the module it maps to."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return getattr(import_module(home), name)

    return __getattr__

"""The ``srs`` command: thin wrappers over the library, one command per module.

User errors (``SrsError``) print ``srs: error: ...`` and exit 1, never a traceback.
"""

from __future__ import annotations

import sys

from srs.cli import app as app_module
from srs.errors import SrsError

app = app_module.app


def _register_commands() -> None:
    """Import every module of this package: each one registers its command on ``app``."""
    import importlib
    import pkgutil

    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name != "app":
            importlib.import_module(f"{__name__}.{module.name}")


_register_commands()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SrsError as exc:
        print(f"srs: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)

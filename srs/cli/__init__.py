"""The ``srs`` command: thin wrappers over the library, one command per module.

User errors (``SrsError``) print ``srs: error: ...`` and exit 1, never a traceback.
"""

from __future__ import annotations

import sqlite3
import sys

import sqlalchemy.exc

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
    except (sqlite3.DatabaseError, sqlalchemy.exc.DBAPIError) as exc:
        print(f"srs: error: {_database_failure(exc)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


def _database_failure(exc: Exception) -> str:
    """A user-facing message for an SQLite failure that escaped the library."""
    from srs.storage import db, default_db_path
    from srs.storage.backup import newest_backup

    detail = str(getattr(exc, "orig", exc))
    if "locked" in detail or "busy" in detail:
        return f"the collection is busy in another process for too long ({detail}); try again"
    backup = newest_backup(db.last_opened or default_db_path())
    hint = f"the newest backup is {backup}; restore it with: srs restore {backup}" if backup else "run 'srs doctor' to see what is wrong"
    return f"the collection could not be read or written ({detail}); {hint}"

"""The ``srs`` command: thin wrappers over the library, one command per module.

User errors (``SrsError``) print ``srs: error: ...`` and exit 1, never a traceback.
"""

from __future__ import annotations

import sqlite3
import sys

from srs.cli import app as app_module
from srs.errors import SrsError

app = app_module.app


# Commands that live in a module of another name; every other command lives in srs/cli/<command>.py.
COMMAND_MODULES = {"undo": "answer", "bury": "answer", "suspend": "answer", "unsuspend": "answer", "restore": "backup", "import": "import_"}
ALWAYS = ("status",)  # the callback: `srs` alone, and the --db/--json options before a command


def invoked_command(argv: list[str]) -> str | None:
    """The command word of a command line (skipping the global options and their values)."""
    args = iter(argv)
    for arg in args:
        if arg == "--db":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def _register_commands(argv: list[str] | None = None) -> None:
    """Import the command modules; each registers its command on ``app``.

    Only the invoked command's module is imported when it can be told from the command line, so
    one command does not pay for every other command's imports at start-up; otherwise all are.
    """
    import importlib
    import pkgutil

    available = {m.name for m in pkgutil.iter_modules(__path__)} - {"app"}
    command = invoked_command(sys.argv[1:] if argv is None else argv)
    module = COMMAND_MODULES.get(command or "", command)
    wanted = [*ALWAYS, module] if module in available else sorted(available)
    for name in wanted:
        importlib.import_module(f"{__name__}.{name}")


_register_commands()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SrsError as exc:
        print(f"srs: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except sqlite3.DatabaseError as exc:
        print(f"srs: error: {_database_failure(exc)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


def _database_failure(exc: sqlite3.Error) -> str:
    """A user-facing message for an SQLite failure that escaped the library: its cause, and what to do."""
    from srs.storage import db, default_db_path
    from srs.storage.failures import explain

    return explain(exc, db.last_opened or default_db_path())

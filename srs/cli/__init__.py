"""The ``srs`` command: thin wrappers over the library, one command per module.

User errors (``SrsError``) print ``srs: error: ...`` and exit 1, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from srs.cli import app as app_module
from srs.errors import SrsError

app = app_module.app

# Importing the command modules registers their commands on ``app``.
from srs.cli import check, status, sync  # noqa: E402,F401


def main() -> None:
    """Console-script entry point."""
    try:
        app(standalone_mode=False)
    except SrsError as exc:
        print(f"srs: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise

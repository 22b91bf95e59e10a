"""The typer application and the options every command shares."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from srs.errors import BackupError
from srs.storage import Store, open_store
from srs.storage.backup import backup_dir, daily_backup

app = typer.Typer(
    name="srs",
    help="Spaced-repetition flashcards in the terminal: YAML decks, FSRS scheduling, Anki export.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite collection to use (default: $SRS_DB, else srs.db in your user data dir).", envvar="SRS_DB", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def open_collection(db: Path | None) -> Store:
    """Open the DB, ready to study: a new one gets the bundled decks, an existing one their updates."""
    from srs.decks import refresh_bundled

    store = open_store(db)
    try:
        if not store.created:
            _daily_backup(store.path)
        refresh_bundled(store, first_use=store.created)
    except BaseException:
        store.close()
        raise
    return store


def _daily_backup(path: Path) -> None:
    """Today's backup; one that cannot be made is a warning, never a reason to refuse today's study."""
    try:
        daily_backup(path)
    except BackupError as exc:
        check = "; run 'srs doctor'" if exc.damaged else ""
        typer.echo(f"srs: warning: today's backup was not made: {exc}{check}", err=True)
    except (OSError, sqlite3.Error) as exc:
        typer.echo(f"srs: warning: could not back up the collection into {backup_dir(path)}: {exc}", err=True)


def echo(text: str = "") -> None:
    """Print to stdout (kept in one place so commands never print Rich markup by accident)."""
    typer.echo(text)

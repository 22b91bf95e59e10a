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
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite collection to use (default: $SRS_DB, else srs.db in your user data dir).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


# The global options of this command line (`srs --db X --json CMD`), set by the root callback, which
# click runs before any command.
_global_options: dict[str, object] = {}


def set_global_options(**options: object) -> None:
    """Record the options given before the command word (called by the root callback)."""
    _global_options.clear()
    _global_options.update(options)


def global_option(name: str):
    """The value of a global option (``db``, ``as_json``) given on this command line, or None."""
    return _global_options.get(name)


def collection_path(db: Path | None) -> Path:
    """The collection a command works on: its own --db, else the global --db, else $SRS_DB or the default."""
    from srs.storage import default_db_path

    chosen = db or global_option("db")
    return Path(chosen).expanduser() if chosen else default_db_path()


def wants_json(as_json: bool) -> bool:
    """Whether to print JSON: the command's own --json or the global one (``srs --json CMD``)."""
    return as_json or bool(global_option("as_json"))


def open_collection(db: Path | None) -> Store:
    """Open the DB, ready to study: a new one gets the bundled decks, an existing one their updates."""
    from srs.decks import refresh_bundled

    store = open_store(collection_path(db))
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


def problem_json(problem) -> dict:
    """A deck-file problem as JSON (``srs check --json``, ``srs sync --json``)."""
    return {"path": problem.path, "line": problem.line, "col": problem.col, "severity": problem.severity, "message": problem.message}


def echo(text: str = "") -> None:
    """Print to stdout (kept in one place so commands never print Rich markup by accident)."""
    typer.echo(text)

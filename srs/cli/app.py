"""The typer application and the options every command shares."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from srs.launch import chosen_collection, open_collection_at, silence_stdout, warn
from srs.storage import Store

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
    return chosen_collection(db or global_option("db"))


def wants_json(as_json: bool) -> bool:
    """Whether to print JSON: the command's own --json or the global one (``srs --json CMD``)."""
    return as_json or bool(global_option("as_json"))


def open_collection(db: Path | None, backup: bool = True) -> Store:
    """Open the DB, ready to study: a new one gets the bundled decks, an existing one their updates (and today's backup,
    unless ``backup`` is off)."""
    return open_collection_at(collection_path(db), backup)


def problem_json(problem) -> dict:
    """A deck-file problem as JSON (``srs check --json``, ``srs sync --json``)."""
    return {"path": problem.path, "line": problem.line, "col": problem.col, "severity": problem.severity, "message": problem.message}


def echo(text: str = "") -> None:
    """Print to stdout (kept in one place so commands never print Rich markup by accident)."""
    typer.echo(text)


def echo_saved(*lines: str) -> None:
    """Report what a command has already committed: if the report cannot be written, that is a
    warning and the exit status stays 0, so a script does not retry (and answer twice)."""
    try:
        for line in lines:
            typer.echo(line)
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, UnicodeError) as exc:
        silence_stdout()
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        warn(f"the change was saved, but its report could not be written ({reason})")

"""``srs decks fork DIR``: make the bundled decks your own, to edit them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json

decks_app = typer.Typer(
    name="decks",
    help="Manage the bundled decks.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(decks_app, name="decks")


@decks_app.command("fork")
def fork(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder for your copies of the bundled deck files.", show_default=False)],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy the bundled decks into DIR to edit them; the copies take over the cards' ids and history.

    Files already in DIR are kept as they are (your own copy). Afterwards the bundled decks no longer
    sync into this collection, and 'srs sync DIR' (or plain 'srs sync') applies your edits.
    """
    from srs.decks.fork import fork_bundled

    with open_collection(db) as store:
        report = fork_bundled(store, folder)
    if wants_json(as_json):
        echo(json.dumps({
            "folder": str(report.folder), "copied": [str(p) for p in report.copied], "kept": [str(p) for p in report.kept],
            "cards": report.cards_moved,
        }, indent=2))
        return
    echo(f"copied {len(report.copied)} deck file(s) to {report.folder}" + (f"; kept {len(report.kept)} already there" if report.kept else ""))
    echo(f"{report.cards_moved} card(s) now belong to your copies (history kept); the bundled decks no longer sync into this collection")
    echo(f"edit them, then: srs sync {report.folder}")

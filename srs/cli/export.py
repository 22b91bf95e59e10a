"""``srs export anki``: write the collection's cards as an Anki package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json
from srs.text import plural

export_app = typer.Typer(
    name="export",
    help="Export cards for use in other apps.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(export_app, name="export")


@export_app.command("anki")
def anki(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="The .apkg file to write (a folder: the default name inside it).", show_default="srs-<deck>.apkg in the current folder"),
    ] = None,
    deck: Annotated[str | None, typer.Option("--deck", help="Export only this deck and its subdecks (e.g. 'PyTorch::Study Notes').")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Export only cards with this tag ('leech': the cards marked as leeches).")] = None,
    with_scheduling: Annotated[
        bool, typer.Option("--with-scheduling", help="Include each card's state and review history, so Anki shows the same due dates (import with 'Import any learning progress').")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write an Anki package (.apkg) of your finished cards; drafts and retired cards are left out.

    Import it in Anki (File > Import, or open it on your phone). Re-export after editing your deck
    files and import again: Anki updates the notes you changed in place, skips the others, and never
    adds duplicates.
    """
    from srs.exporters import export_anki

    with open_collection(db) as store:
        result = export_anki(store, output, deck=deck, tag=tag, with_scheduling=with_scheduling)
    if wants_json(as_json):
        echo(json.dumps({"path": str(result.path), "notes": result.notes, "cards": result.cards, "decks": result.decks}, indent=2))
        return
    cards = f" ({plural(result.cards, 'card')})" if result.cards != result.notes else ""
    echo(f"wrote {result.path}: {plural(result.notes, 'note')}{cards} in {plural(result.decks, 'deck')}")
    if result.redated:
        echo(
            f"note: {plural(result.redated, 'date')} in the collection {'was' if result.redated == 1 else 'were'} in the future (the clock was "
            f"ahead at a sync or export); {'it is' if result.redated == 1 else 'they are'} dated now, so later edits reach Anki again"
        )

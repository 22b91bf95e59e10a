"""``srs check``: validate deck files without touching any collection."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import app, echo
from srs.decks import bundled_decks_dir, check_paths
from srs.decks.cloze import generate_cards
from srs.errors import SrsError


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(help="Deck files or folders (default: the bundled decks).", show_default=False)] = None,
) -> None:
    """Validate deck files: print errors and warnings (no ids, drafts, long backs) as path:line:col."""
    loaded = check_paths(paths or [bundled_decks_dir()])
    for problem in loaded.problems:
        typer.echo(str(problem), err=problem.severity == "error")
    cards = [card for deck in loaded.decks for entry in deck.cards for card in generate_cards(entry)]  # each cloze number, each reverse
    drafts = sum(card.draft for card in cards)
    warnings = len(loaded.problems) - len(loaded.errors)
    echo(f"{len(loaded.decks)} file(s), {len(cards)} card(s), {drafts} draft(s): {len(loaded.errors)} error(s), {warnings} warning(s)")
    if loaded.errors:
        raise SrsError("deck files have errors")

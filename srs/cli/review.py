"""``srs review``: the daily review in the terminal (Textual)."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.app import DbOption, app, open_collection, require_terminal
from srs.model import Scope
from srs.review import check_deck


@app.command()
def review(
    deck: Annotated[str | None, typer.Option("--deck", help="Study only this deck (and its subdecks), e.g. 'PyTorch::Quizzes'.", show_default=False)] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Study only cards with this tag ('leech' for leeches).", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Open the review screen: the deck list, then cards one at a time (press ? for every key)."""
    with open_collection(db) as store:
        check_deck(store, deck)
        require_terminal("review")
        from srs.tui.app import SrsApp

        scope = Scope(deck=deck, tag=tag) if deck or tag else None
        SrsApp(store, scope).run()

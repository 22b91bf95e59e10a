"""``srs review``: the daily review in the terminal (Textual).

A plain ``srs review`` does not come through here: ``srs.entry`` calls ``srs.launch.run_review`` without
importing typer. This command is what help, completion and every other command line use.
"""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.app import DbOption, app, open_collection
from srs.launch import require_terminal, run_review


@app.command()
def review(
    deck: Annotated[str | None, typer.Option("--deck", help="Study only this deck (and its subdecks), e.g. 'PyTorch::Quizzes'.", show_default=False)] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Study only cards with this tag ('leech' for leeches).", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Open the review screen: the deck list, then cards one at a time (press ? for every key).

    With a remote set and `srs config remote_autosync true`, syncs before opening and after closing.
    """
    require_terminal("review")  # before the collection: refused, it creates nothing
    with open_collection(db, backup=False) as store:  # run_review makes today's backup once its screen is up
        run_review(store, deck, tag)

"""``srs review``: the daily review in the terminal (Textual)."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.cli.app import DbOption, app, open_collection, require_terminal
from srs.clock import local_zone, utc_now
from srs.gcpause import pause_for_startup, resume_after_startup
from srs.model import Scope
from srs.review import check_deck
from srs.tui.steps import Opening


@app.command()
def review(
    deck: Annotated[str | None, typer.Option("--deck", help="Study only this deck (and its subdecks), e.g. 'PyTorch::Quizzes'.", show_default=False)] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Study only cards with this tag ('leech' for leeches).", show_default=False)] = None,
    db: DbOption = None,
) -> None:
    """Open the review screen: the deck list, then cards one at a time (press ? for every key).

    With a remote set and `srs config remote_autosync true`, syncs before opening and after closing.
    """
    with open_collection(db) as store:
        check_deck(store, deck)
        require_terminal("review")
        autosync = _autosync_enabled(store)
        if autosync:
            _autosync(store, "open")
        scope = Scope(deck=deck, tag=tag) if deck or tag else None
        zone = local_zone()
        # The session is opened in a thread while Textual is imported and started (most of the start-up):
        # the first frame then shows the first card.
        opening = Opening(store, scope, zone, utc_now()) if scope is not None else None
        pause_for_startup()  # SrsApp turns it back on once its first screen is up
        try:
            from srs.tui.app import SrsApp

            SrsApp(store, scope, zone=zone, opening=opening).run()
        finally:
            resume_after_startup()
        if autosync:
            _autosync(store, "close")


def _autosync_enabled(store) -> bool:
    """`srs config remote_autosync true` and a remote is set."""
    from srs.remote.status import remote_status
    from srs.settings import load

    return load(store).remote_autosync and remote_status(store).url is not None


def _autosync(store, when: str) -> None:
    """Sync with the remote; a failure is reported and studying goes on offline (nothing is lost)."""
    from srs.errors import SrsError
    from srs.remote.sync import sync

    try:
        result = sync(store)
    except SrsError as exc:
        typer.echo(f"srs: remote sync on {when} failed, working offline: {exc}", err=True)
        return
    if when == "close":
        typer.echo(f"remote: sent {result.sent}, received {result.received} event(s)")

"""``srs`` with no command: each deck with its new / learning / due-today counts."""

from __future__ import annotations

import os

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection
from srs.clock import utc_now
from srs.overview import deck_overview
from srs.remote.status import remote_status, status_line


@app.callback(invoke_without_command=True)
def status(ctx: typer.Context, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show each deck with its new, learning and due-today counts (run a command for more)."""
    if ctx.invoked_subcommand is not None:
        if db is not None:
            # `srs --db X CMD`: the subcommand's own --db reads SRS_DB, parsed after this callback.
            os.environ["SRS_DB"] = str(db)
        return
    with open_collection(db) as store:
        rows = deck_overview(store)
        remote_line = status_line(remote_status(store), utc_now())
    if as_json:
        import json

        echo(json.dumps([row.__dict__ for row in rows], indent=2))
        return
    if not rows:
        echo("No decks yet. Add some with: srs sync PATH")
        return
    width = max(len("  " * row.depth + row.short_name) for row in rows)
    echo(f"{'Deck':<{width}}  {'New':>5} {'Learn':>5} {'Due':>5}")
    for row in rows:
        echo(f"{'  ' * row.depth + row.short_name:<{width}}  {row.new:>5} {row.learning:>5} {row.review:>5}")
    if remote_line:
        echo(f"\n{remote_line}   (srs remote sync)")
    echo(f"\nStudy with: srs review   (database: {store.path})")

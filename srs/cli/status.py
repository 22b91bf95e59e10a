"""``srs`` with no command: each deck with its new / learning / due-today counts; the global options."""

from __future__ import annotations

from typing import Annotated

import typer

from srs import __version__
from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, set_global_options, wants_json
from srs.errors import SrsError
from srs.clock import utc_now
from srs.overview import deck_overview
from srs.remote.status import remote_status, status_line


def _print_version(value: bool) -> None:
    if value:
        echo(f"srs {__version__}")
        raise typer.Exit()


def _takes(command, option: str) -> bool:
    """Whether a command (or any command of a group such as ``export``) takes an option."""
    subcommands = getattr(command, "commands", None)
    if subcommands:
        return any(_takes(sub, option) for sub in subcommands.values())
    return any(param.name == option for param in command.params)


@app.callback(invoke_without_command=True)
def status(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: JsonOption = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version)] = False,
) -> None:
    """Show each deck with its new, learning and due-today counts (run a command for more).

    --db and --json given before a command apply to it (srs --json due).
    """
    set_global_options(db=db, as_json=as_json)
    if ctx.invoked_subcommand is not None:
        command = ctx.command.get_command(ctx, ctx.invoked_subcommand)
        if as_json and command is not None and not _takes(command, "as_json"):
            raise SrsError(f"'srs {ctx.invoked_subcommand}' has no JSON output; leave out --json")
        if db is not None and command is not None and not _takes(command, "db"):
            raise SrsError(f"'srs {ctx.invoked_subcommand}' works on files only and opens no collection; leave out --db")
        return
    with open_collection(db) as store:
        rows = deck_overview(store)
        remote_line = status_line(remote_status(store), utc_now())
    if wants_json(as_json):
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


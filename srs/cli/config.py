"""``srs config``: show and change scheduling settings, globally or per deck."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srs import settings as settings_lib
from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json

VALUE_WIDTH = 12
PER_LINE = 7  # FSRS parameters per line (21 in 3 lines)


@app.command()
def config(
    key: Annotated[str | None, typer.Argument(metavar="KEY", help="Setting to show or change.", show_default=False)] = None,
    value: Annotated[str | None, typer.Argument(metavar="VALUE", help="New value.", show_default=False)] = None,
    deck: Annotated[str | None, typer.Option("--deck", help="Apply to this deck and its subdecks instead of globally.")] = None,
    unset: Annotated[bool, typer.Option("--unset", help="Remove the override so the value is inherited again.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show settings, or set one: srs config new_per_day 30 [--deck NAME]."""
    with open_collection(db) as store:
        if key and unset:
            removed = settings_lib.unset_value(store, key, deck)
            echo(f"{key}: {'override removed' if removed else 'was not set'}" + (f" for {deck}" if deck else ""))
            return
        if key and value is not None:
            stored = settings_lib.set_value(store, key, value, deck)
            echo(f"{key} = {stored}" + (f" for {deck}" if deck else ""))
            return
        effective = settings_lib.display(settings_lib.load(store, deck))
        overrides = settings_lib.load_all(store)
    if key:
        if key not in effective:
            from srs.errors import SrsError

            raise SrsError(f"unknown setting '{key}' (known: {', '.join(effective)})")
        effective = {key: effective[key]}
    if wants_json(as_json):
        echo(json.dumps(effective, indent=2))
        return
    scope = deck or ""
    below = []
    for name, shown in effective.items():
        marker = "*" if name in overrides.get(scope, {}) else " "
        if len(str(shown)) > VALUE_WIDTH:  # the FSRS parameters: listed under the table, not across it
            below.append((name, str(shown).split()))
            shown = f"{len(str(shown).split())} below"
        echo(f"{marker} {name:<18} {shown!s:<{VALUE_WIDTH}} {settings_lib.DESCRIPTIONS[name]}")
    for name, words in below:
        echo(f"\n{name}:")
        for start in range(0, len(words), PER_LINE):
            echo("  " + " ".join(words[start : start + PER_LINE]))
    echo("\n* set here; others are inherited. Change with: srs config KEY VALUE [--deck NAME]")

"""``srs check``: validate deck files; with --db, also against that collection. Nothing is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from srs.cli.app import JsonOption, app, echo, global_option, problem_json, wants_json
from srs.decks import bundled_decks_dir, check_paths
from srs.decks.cloze import generate_cards
from srs.errors import SrsError


@app.command()
def check(
    paths: Annotated[list[Path] | None, typer.Argument(metavar="PATH", help="Deck files or folders (default: the bundled decks).", show_default=False)] = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Also check against this collection, as 'srs sync' would (ids that cards of other files already use). Default: no collection.", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Validate deck files: print every error and warning (no ids, drafts, long backs) as path:line:col."""
    loaded = _check(paths or [bundled_decks_dir()], db)
    made = [card for deck in loaded.decks for entry in deck.cards for card in generate_cards(entry)]  # each cloze number, each reverse
    cards, drafts = len(made), sum(card.draft for card in made)
    warnings = [p for p in loaded.problems if p.severity != "error"]
    if wants_json(as_json):
        echo(json.dumps({
            "files": len(loaded.read), "cards": cards, "drafts": drafts,
            "errors": [problem_json(p) for p in loaded.errors], "warnings": [problem_json(p) for p in warnings],
        }, indent=2, ensure_ascii=False))
    else:
        for problem in loaded.problems:
            typer.echo(str(problem), err=problem.severity == "error")
        echo(f"{len(loaded.read)} file(s), {cards} card(s), {drafts} draft(s): {len(loaded.errors)} error(s), {len(warnings)} warning(s)")
    if loaded.errors:
        raise SrsError("deck files have errors")


def _check(paths: list[Path], db: Path | None):
    """Check the files, against the collection named by --db (this command's or the global one) if any."""
    from srs.storage import open_store

    chosen = db or global_option("db")
    if chosen is None:
        return check_paths(paths)
    path = Path(chosen).expanduser()
    if not path.exists():
        raise SrsError(f"{path}: no such collection")
    with open_store(path) as store:
        return check_paths(paths, store)

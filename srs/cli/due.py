"""``srs due``: today's queue, in the order the review screen shows it."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json
from srs.clock import utc_now
from srs.model import Scope
from srs.review import build_queue, cards


@app.command()
def due(
    deck: Annotated[str | None, typer.Option("--deck", help="Only this deck (and its subdecks).")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Only cards with this tag.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List today's queue with its counts (new, learning, review)."""
    with open_collection(db) as store:
        now = utc_now()
        queue = build_queue(store, Scope(deck, tag), now)
        order = [card_id for _, card_id in queue.learning] + list(queue.main)
        found = cards(store, order)
    counts = queue.counts()
    listed = [found[card_id] for card_id in order]
    if wants_json(as_json):
        payload = {
            "counts": {"new": counts.new, "learning": counts.learning, "review": counts.review},
            "cards": [{"id": c.uid, "deck": c.deck, "state": c.memory.state.label, "due": c.memory.due.isoformat() if c.memory.due else None} for c in listed],
        }
        echo(json.dumps(payload, indent=2))
        return
    echo(f"new {counts.new}, learning {counts.learning}, review {counts.review}")
    for card in listed:
        when = card.memory.due.astimezone().strftime("%Y-%m-%d %H:%M") if card.memory.due else "-"
        echo(f"{card.uid:<32} {card.memory.state.label:<10} {when:<16} {card.deck}")

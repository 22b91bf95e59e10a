"""``srs show``: one card, its scheduling state and its review history."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection
from srs.decks.cloze import card_kind, render_deletions
from srs.review import find_card
from srs.storage import review_store


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


@app.command()
def show(
    card_id: Annotated[str, typer.Argument(metavar="ID", help="The card's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a card: content, state, stability, difficulty, due, reps, lapses and history."""
    with open_collection(db) as store:
        card = find_card(store, card_id)
        with store.read() as conn:
            history = review_store.card_history(conn, card.id)
    m = card.memory
    kind = card_kind(card.uid)
    front, back = card.front, card.back
    if kind.is_cloze:  # what the card asks and answers; the whole cloze text is under "cloze"
        front, back = (render_deletions(card.front, kind.ordinal, reveal) for reveal in (False, True))
    data = {
        "id": card.uid, "kind": "cloze" if kind.is_cloze else "reversed" if kind.reversed else "basic",
        "deck": card.deck, "front": front, "back": back, **({"cloze": card.front} if kind.is_cloze else {}), "extra": card.extra,
        "tags": list(card.tags), "difficulty": card.difficulty, "sources": list(card.sources),
        "draft": card.draft, "retired": card.retired,
        "state": m.state.label, "step": m.step, "stability": m.stability, "difficulty_fsrs": m.difficulty,
        "due": _iso(m.due), "last_review": _iso(m.last_review), "reps": m.reps, "lapses": m.lapses,
        "suspended": card.suspended, "leech": card.leech, "buried_until": _iso(card.buried_until),
        "history": [
            {"rating": rating.name.lower(), "reviewed_at": _iso(at), "duration_ms": ms,
             "state_after": review_store.memory_from_json(after)[0].state.label}
            for _, rating, at, ms, _before, after in history
        ],
    }
    if as_json:
        echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for key in ("id", "kind", "deck", "front", "back", "extra", "tags", "difficulty", "sources", "state", "stability", "difficulty_fsrs",
                "due", "last_review", "reps", "lapses", "suspended", "leech", "buried_until", "draft", "retired"):
        value = data[key]
        if isinstance(value, list):
            value = ", ".join(value)
        if isinstance(value, float):
            value = f"{value:.4f}"
        echo(f"{key:>14}: {value}")
    echo(f"{'history':>14}: {len(history)} review(s)")
    for entry in data["history"]:
        echo(f"{'':>16}{entry['reviewed_at']}  {entry['rating']:<5} -> {entry['state_after']}")

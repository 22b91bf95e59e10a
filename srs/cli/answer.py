"""``srs answer``, ``srs undo``, ``srs bury``, ``srs suspend``, ``srs unsuspend``: scheduling from scripts."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from srs.cli.app import DbOption, JsonOption, app, echo, open_collection, wants_json
from srs.clock import utc_now
from srs.review import answer as answer_card
from srs.review import bury as bury_cards
from srs.review import find_card, parse_rating, set_suspended
from srs.review import undo as undo_answer
from srs.scheduling import format_interval
from srs.storage import review_store
from srs.text import plural

CardIds = Annotated[list[str], typer.Argument(metavar="ID", help="Card ids, as in the deck files.", show_default=False)]


def _local(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


@app.command()
def answer(
    card_id: Annotated[str, typer.Argument(metavar="ID", help="The card's id.")],
    rating: Annotated[str, typer.Argument(metavar="RATING", help="1-4 or again, hard, good, easy.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a card now and print when it is due next. Answering early is allowed."""
    grade = parse_rating(rating)
    with open_collection(db) as store:
        card = find_card(store, card_id)
        result = answer_card(store, card.id, grade)
    if wants_json(as_json):
        after = result.after
        echo(json.dumps({
            "id": card_id, "rating": grade.name.lower(), "reviewed_at": result.reviewed_at.isoformat(),
            "state": after.state.label, "due": after.due.isoformat() if after.due else None,
            "interval": format_interval(after.due - result.reviewed_at) if after.due else None,
            "stability": round(after.stability, 4) if after.stability is not None else None,
            "difficulty": round(after.difficulty, 4) if after.difficulty is not None else None,
            "early": result.early, "leech": result.became_leech,
        }, indent=2))
        return
    note = " (answered early: it was not due yet)" if result.early else ""
    echo(f"{card_id}: {grade.label} -> {result.after.state.label}, due {_local(result.after.due)} (in {format_interval(result.after.due - result.reviewed_at)}){note}")
    if result.became_leech:
        echo(f"{card_id} is a leech ({result.after.lapses} lapses): tagged leech and suspended. Rewrite it, then: srs unsuspend {card_id}")


@app.command()
def undo(db: DbOption = None) -> None:
    """Undo the newest answer, restoring the card's exact previous state."""
    with open_collection(db) as store:
        card_id, memory = undo_answer(store)
        with store.read() as conn:
            uid = review_store.fetch_cards(conn, [card_id])[card_id].uid
    echo(f"undid the last answer of {uid} (back to {memory.state.label})")


def _report(done: str | None, left: list[str], why: str) -> None:
    """What changed ('suspended 2 cards'), then the cards that already were so: 'c3: already suspended, left as is'."""
    if done:
        echo(done)
    if left:
        echo(f"{', '.join(left)}: {why}, {'left as is' if done else 'nothing to do'}")


@app.command()
def bury(card_ids: CardIds, db: DbOption = None) -> None:
    """Hide cards until the next day starts."""
    with open_collection(db) as store:
        cards = [find_card(store, uid) for uid in card_ids]
        now = utc_now()
        already = {card.uid for card in cards if card.buried_until is not None and card.buried_until > now}
        todo = [card for card in cards if card.uid not in already]
        until = bury_cards(store, [card.id for card in todo], now) if todo else None
    done = f"buried {plural(len(todo), 'card')} until {_local(until)}" if until is not None else None
    _report(done, [card.uid for card in cards if card.uid in already], "already buried until the next day")


def _set_suspended(card_ids: list[str], db, suspended: bool) -> None:
    with open_collection(db) as store:
        cards = [find_card(store, uid) for uid in card_ids]
        todo = [card for card in cards if card.suspended != suspended]
        if todo:
            set_suspended(store, [card.id for card in todo], suspended)
    left = [card.uid for card in cards if card.suspended == suspended]
    done = f"{'suspended' if suspended else 'unsuspended'} {plural(len(todo), 'card')}" if todo else None
    _report(done, left, "already suspended" if suspended else "not suspended")


@app.command()
def suspend(card_ids: CardIds, db: DbOption = None) -> None:
    """Suspend cards: they are not shown until unsuspended."""
    _set_suspended(card_ids, db, True)


@app.command()
def unsuspend(card_ids: CardIds, db: DbOption = None) -> None:
    """Unsuspend cards so they are scheduled again."""
    _set_suspended(card_ids, db, False)

"""The deck list with today's counts, as Anki's deck screen shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from srs.clock import day_bounds, local_zone, utc_now
from srs.review import SettingsBook
from srs.storage import Store
from srs.storage import review_store as rs


@dataclass
class DeckRow:
    """One line of the deck list. Counts include subdecks and respect daily limits."""

    name: str
    short_name: str
    depth: int
    new: int
    learning: int
    review: int


def deck_overview(store: Store, now: datetime | None = None, zone: tzinfo | None = None) -> list[DeckRow]:
    """Every deck (parents before children, alphabetical) with new / learning / due counts for today."""
    now = now or utc_now()
    zone = zone or local_zone()
    book = SettingsBook.load(store)
    start, end = day_bounds(now, zone, book.for_deck(None).day_starts_at)
    with store.read() as conn:
        raw = rs.counts_by_deck(conn, end, now)
        new_done, reviews_done = rs.done_today(conn, start)
    names = book.deck_names
    by_name = {name: deck_id for deck_id, name in names.items()}
    rows = []
    for name in sorted(names.values(), key=lambda n: n.split("::")):
        new = learning = review = 0
        new_done_here = reviews_done_here = 0
        for deck_id, other in names.items():
            if other == name or other.startswith(name + "::"):
                n, l, r = raw.get(deck_id, (0, 0, 0))
                settings = book.for_deck_id(deck_id)
                new += min(n, max(0, settings.new_per_day - new_done.get(deck_id, 0)))
                review += min(r, max(0, settings.reviews_per_day - reviews_done.get(deck_id, 0)))
                learning += l
                new_done_here += new_done.get(deck_id, 0)
                reviews_done_here += reviews_done.get(deck_id, 0)
        own = book.for_deck_id(by_name[name])
        new = min(new, max(0, own.new_per_day - new_done_here))
        review = min(review, max(0, own.reviews_per_day - reviews_done_here))
        parts = name.split("::")
        rows.append(DeckRow(name, parts[-1], len(parts) - 1, new, learning, review))
    return rows

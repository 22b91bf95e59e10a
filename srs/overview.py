"""The deck list with today's counts, as Anki's deck screen shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from srs.clock import day_bounds, local_zone, utc_now
from srs.review import DailyLimits, SettingsBook
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
    """Every deck (parents before children, alphabetical) with new / learning / due counts for today.

    Each deck's counts are what studying that deck would queue (``srs.review.DailyLimits``): its
    own cards and its subdecks' counts, capped by its own limit; decks above it do not limit it.
    """
    now = now or utc_now()
    zone = zone or local_zone()
    book = SettingsBook.load(store)
    start, end = day_bounds(now, zone, book.for_deck(None).day_starts_at)
    with store.read() as conn:
        raw = rs.counts_by_deck(conn, end, now)
        new_done, reviews_done = rs.done_today(conn, start)
    names = book.deck_names
    own: dict[str, tuple[int, int, int]] = {name: raw.get(deck_id, (0, 0, 0)) for deck_id, name in names.items()}
    new_limits = DailyLimits(book, None, new_done, "new_per_day")
    review_limits = DailyLimits(book, None, reviews_done, "reviews_per_day")
    ordered = sorted(names.values(), key=lambda n: n.split("::"))
    counts: dict[str, tuple[int, int, int]] = {}
    for name in reversed(ordered):  # children before their parents
        new, learning, review = own[name]
        for child in (other for other in counts if other.rpartition("::")[0] == name):
            new, learning, review = new + counts[child][0], learning + counts[child][1], review + counts[child][2]
        counts[name] = (min(new, new_limits.room(name)), learning, min(review, review_limits.room(name)))
    rows = []
    for name in ordered:
        parts = name.split("::")
        new, learning, review = counts[name]
        rows.append(DeckRow(name, parts[-1], len(parts) - 1, new, learning, review))
    return rows

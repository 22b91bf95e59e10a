"""SQL for listing cards: which cards a deck (with its subdecks) and/or a tag selects, with their content.

Used by the Anki exporter and by any command that lists cards. Drafts and retired cards are never
listed: a draft is unfinished and a retired card has left its deck file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from sqlite3 import Connection

from srs.model import ListedCard, Scope
from srs.storage.rows import scope_filter
from srs.storage.timecodec import from_us


def list_cards(conn: Connection, scope: Scope) -> list[ListedCard]:
    """Finished, live cards in ``scope`` (deck with subdecks, and/or tag), by deck name then file order."""
    where, params = scope_filter(scope)
    sql = (
        "SELECT c.uid, d.name, t.front, t.back, t.extra, c.tags, c.difficulty, t.sources, c.content_changed_at, c.origin, c.position "
        "FROM card c JOIN deck d ON d.id = c.deck_id JOIN card_text t ON t.card_id = c.id "
        f"WHERE c.draft = 0 AND c.retired = 0{where}"
    )
    rows = conn.execute(sql, params).fetchall()
    # Sorted here rather than by ORDER BY: SQLite's sorter would carry every row's text along (~35 ms at 10k cards).
    rows.sort(key=itemgetter(1, 9, 10))
    return listed_cards(rows)


def listed_cards(rows: Iterable[Sequence]) -> list[ListedCard]:
    """The ListedCard of each row whose first columns are uid, deck name, front, back, extra, tags, difficulty, sources, content_changed_at."""
    # Built positionally, and tag strings and times converted once per distinct value (a sync dates all
    # the cards it changes alike, and tag sets repeat): this runs for every card of an export.
    tags: dict[str, tuple[str, ...]] = {}
    times: dict[int, object] = {}
    return [
        ListedCard(
            row[0], row[1], row[2], row[3], row[4],
            tags[row[5]] if row[5] in tags else tags.setdefault(row[5], tuple(row[5].split())), row[6],
            tuple(s for s in row[7].split("\n") if s) if row[7] else (),
            times[row[8]] if row[8] in times else times.setdefault(row[8], from_us(row[8])),
        )
        for row in rows
    ]


def deck_descriptions(conn: Connection) -> dict[str, str]:
    """Every deck's name -> description (parents of nested decks included)."""
    return dict(conn.execute("SELECT name, description FROM deck").fetchall())

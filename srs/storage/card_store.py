"""SQL for listing cards: which cards a deck (with its subdecks) and/or a tag selects, with their content.

Used by the Anki exporter and by any command that lists cards. Drafts and retired cards are never
listed: a draft is unfinished and a retired card has left its deck file.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from srs.model import State
from srs.storage.review_store import Scope
from srs.storage.timecodec import from_us


class ListedCard(NamedTuple):
    """A card's content and placement, plus the scheduling facts a listing shows."""

    id: int
    uid: str
    deck: str
    front: str
    back: str
    extra: str
    tags: tuple[str, ...]
    difficulty: str | None
    sources: tuple[str, ...]
    state: State
    due: datetime | None
    suspended: bool


_STATES = tuple(State)
_COLUMNS = "c.id, c.uid, d.name, c.front, c.back, c.extra, c.tags, c.difficulty, c.sources, c.state, c.due, c.suspended"


def list_cards(conn: Connection, scope: Scope) -> list[ListedCard]:
    """Finished, live cards in ``scope`` (deck with subdecks, and/or tag), by deck name then file order."""
    where, params = scope.where()
    sql = (
        f"SELECT {_COLUMNS} FROM card c JOIN deck d ON d.id = c.deck_id "
        f"WHERE c.draft = 0 AND c.retired = 0{where} ORDER BY d.name, c.origin, c.position"
    )
    rows = conn.connection.driver_connection.execute(sql, params).fetchall()
    # A NamedTuple built positionally, without enum/time calls where not needed: this runs for every card on export.
    return [
        ListedCard(
            row[0], row[1], row[2], row[3], row[4], row[5], tuple(row[6].split()), row[7],
            tuple(s for s in row[8].split("\n") if s) if row[8] else (), _STATES[row[9]],
            None if row[10] is None else from_us(row[10]), bool(row[11]),
        )
        for row in rows
    ]


def deck_descriptions(conn: Connection) -> dict[str, str]:
    """Every deck's name -> description (parents of nested decks included)."""
    return dict(conn.connection.driver_connection.execute("SELECT name, description FROM deck").fetchall())

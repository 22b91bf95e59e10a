"""SQL for stored export notes: each plain card's finished Anki note, kept between exports (``export_note``).

An Anki export builds its package in an in-memory SQLite database (genanki's collection layout) with the
srs collection attached to it read-only as ``srs``. The cards to export are read from ``srs`` and the
unchanged notes copied from ``srs.export_note`` into the package's ``notes`` by SQLite itself, inside one
read transaction of that connection: what is planned and what is copied are one snapshot.

A stored note is only ever used when it is current: the triggers of migration 13 drop a card's note when
anything the note is made of changes (or the card goes), and ``export_note_epoch`` names the renderer and
its first-use date that made the stored notes (a note's date is never before that one). Storing is
guarded by the epoch the triggers count: notes rendered before a concurrent change are not stored after it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from srs.model import Scope
from srs.storage.connection import BUSY_TIMEOUT_S, file_uri
from srs.storage.rows import scope_filter

SCHEMA = "srs"  # the name the collection is attached under

# uid, deck name, front, back, extra, tags, difficulty, sources, content_changed_at (the ListedCard columns), then
# origin, position (the export order), card id, whether a stored note is taken, and whether the card's text is
# missing (deleted outside srs). The texts of a card whose stored note is taken are not needed: NULL saves decoding them.
_PLAN = (
    "SELECT c.uid, d.name, iif(e.card_id IS NULL, t.front, NULL), iif(e.card_id IS NULL, t.back, NULL), "
    "iif(e.card_id IS NULL, t.extra, NULL), c.tags, c.difficulty, iif(e.card_id IS NULL, t.sources, NULL), c.content_changed_at, "
    "c.origin, c.position, c.id, e.card_id IS NOT NULL, t.card_id IS NULL "
    "FROM srs.card c JOIN srs.deck d ON d.id = c.deck_id LEFT JOIN srs.card_text t ON t.card_id = c.id "
    "LEFT JOIN srs.export_note e ON e.card_id = c.id AND ? "
    "WHERE c.draft = 0 AND c.retired = 0"
)
_BY_ID = (
    "SELECT c.uid, d.name, t.front, t.back, t.extra, c.tags, c.difficulty, t.sources, c.content_changed_at, c.id "
    "FROM srs.card c JOIN srs.deck d ON d.id = c.deck_id JOIN srs.card_text t ON t.card_id = c.id WHERE c.id IN (SELECT value FROM json_each(?))"
)


@dataclass(frozen=True)
class ExportPlan:
    """The cards an export takes, in export order, and what decides whether stored notes may be used and stored."""

    rows: list[tuple]  # see _PLAN; the texts are None where a stored note is taken
    epoch: int | None  # card changes counted by the triggers so far (None: no epoch row, nothing is stored)
    since: int | None  # µs: the current renderer's first use (None: it was never used)
    cache_rows: int  # rows in the render cache (counted for whole-collection exports only, else 0)


def open_package_db(source: Path | None) -> sqlite3.Connection:
    """An empty in-memory database for a package, with the srs collection at ``source`` (if any) attached read-only.

    Autocommit mode: the caller opens the transaction (one snapshot of the collection) itself.
    """
    db = sqlite3.connect(":memory:", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    if source is not None:
        try:
            db.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (file_uri(source, mode="ro"),))
        except BaseException:
            db.close()
            raise
    return db


def read_plan(conn: sqlite3.Connection, scope: Scope, renderer: str, use_stored: bool = True, count_cache: bool = False) -> ExportPlan:
    """The finished, live cards of ``scope`` by deck name then file order (as ``list_cards`` orders them).

    Stored notes are taken only if ``use_stored`` and they were made by ``renderer`` at its current date.
    """
    epoch_row = conn.execute(f"SELECT epoch, renderer, since FROM {SCHEMA}.export_note_epoch WHERE id = 0").fetchone()
    since_row = conn.execute(f"SELECT since FROM {SCHEMA}.export_renderer WHERE renderer = ?", (renderer,)).fetchone()
    since = None if since_row is None else since_row[0]
    usable = use_stored and since is not None and epoch_row is not None and (epoch_row[1], epoch_row[2]) == (renderer, since)
    # scope_filter names the table deck unqualified: the package has no table of that name, so it is srs.deck.
    where, params = scope_filter(scope)
    rows = conn.execute(_PLAN + where, [usable, *params]).fetchall()
    rows.sort(key=itemgetter(1, 9, 10))
    cache_rows = conn.execute(f"SELECT count(*) FROM {SCHEMA}.render_cache").fetchone()[0] if count_cache else 0
    return ExportPlan(rows, None if epoch_row is None else epoch_row[0], since, cache_rows)


def cards_by_id(conn: sqlite3.Connection, card_ids: Iterable[int]) -> dict[int, tuple]:
    """card id -> its ListedCard columns (as in the plan, texts included)."""
    return {row[-1]: row[:-1] for row in conn.execute(_BY_ID, (json.dumps(list(card_ids)),))}


def stage_order(conn: sqlite3.Connection, order: Iterable[tuple[int, int]]) -> None:
    """Record (position in the package, card id) of every note to copy from the stored notes (a temp table)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS export_order (pos INTEGER PRIMARY KEY, card_id INTEGER NOT NULL)")
    conn.execute("DELETE FROM temp.export_order")
    conn.executemany("INSERT INTO temp.export_order (pos, card_id) VALUES (?, ?)", order)


def copy_stored_notes(conn: sqlite3.Connection, first_id: int, model_id: int, start: int, end: int) -> int:
    """Copy the stored notes of the staged positions ``start`` <= pos < ``end`` into the package's ``notes``, in order.

    A note's id is ``first_id + 2 * pos`` (its card's is one more); the sort field is the first field. Returns
    how many were copied (all of them, since the plan was read in the same snapshot).
    """
    # notes: id guid mid mod usn tags flds sfld csum flags data
    return conn.execute(
        f"INSERT INTO main.notes SELECT ? + 2 * o.pos, e.guid, {int(model_id)}, e.mod, -1, e.tags, e.flds, "
        "substr(e.flds, 1, instr(e.flds, char(31)) - 1), 0, 0, '' "
        f"FROM temp.export_order o JOIN {SCHEMA}.export_note e ON e.card_id = o.card_id WHERE o.pos >= ? AND o.pos < ? ORDER BY o.pos",
        (first_id, start, end),
    ).rowcount


def store_notes(conn: sqlite3.Connection, epoch: int | None, renderer: str, since: int, notes: Sequence[tuple]) -> int:
    """Keep ``notes`` (card id, guid, fields, tags, mod), rendered by ``renderer`` dated ``since`` (µs) from cards read
    at ``epoch``; on the collection's own (write) connection. Returns how many were stored: none if a card changed
    since (the epoch moved) or the renderer was re-dated, as the notes may be stale.

    Notes of another renderer or date are all dropped first: they would be taken for current ones.
    """
    row = conn.execute("SELECT epoch, renderer, since FROM export_note_epoch WHERE id = 0").fetchone()
    current = conn.execute("SELECT since FROM export_renderer WHERE renderer = ?", (renderer,)).fetchone()
    if epoch is None or row is None or row[0] != epoch or current is None or current[0] != since:
        return 0
    if (row[1], row[2]) != (renderer, since):
        conn.execute("DELETE FROM export_note")
        conn.execute("UPDATE export_note_epoch SET renderer = ?, since = ? WHERE id = 0", (renderer, since))
    conn.executemany("INSERT OR REPLACE INTO export_note (card_id, guid, flds, tags, mod) VALUES (?, ?, ?, ?, ?)", notes)
    return len(notes)


def forget_stored_notes(conn: sqlite3.Connection) -> int:
    """Drop every stored note (the next export renders, or takes from the render cache, every note); return how many."""
    return conn.execute("DELETE FROM export_note").rowcount

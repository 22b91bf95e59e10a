"""SQL for importing review history: a card's log read and rewritten with replayed states.

Every function takes a DB-API ``sqlite3.Connection`` inside the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import chain

from srs.model import MemoryState
from srs.storage.timecodec import to_us

# (review id, rating, reviewed_at_us, duration_ms, before-JSON, after-JSON, uid, device)
LogRow = tuple[int, int, int, int | None, str, str, str, str | None]


def card_ids_by_uid(conn: sqlite3.Connection) -> dict[str, int]:
    """Every card's uid -> internal id (retired ones too: their history is kept)."""
    return dict(conn.execute("SELECT uid, id FROM card").fetchall())


def live_card_origins(conn: sqlite3.Connection) -> dict[str, str]:
    """uid -> the deck file of every card that is not retired."""
    return dict(conn.execute("SELECT uid, origin FROM card WHERE retired = 0").fetchall())


def card_decks(conn: sqlite3.Connection) -> dict[int, int]:
    """Card id -> deck id."""
    return dict(conn.execute("SELECT id, deck_id FROM card").fetchall())


def card_flags(conn: sqlite3.Connection) -> dict[int, tuple[bool, bool, int | None]]:
    """Card id -> (suspended, leech, buried_until_us)."""
    return {row[0]: (bool(row[1]), bool(row[2]), row[3]) for row in conn.execute("SELECT id, suspended, leech, buried_until FROM card").fetchall()}


def logs_of(conn: sqlite3.Connection, card_ids: list[int]) -> dict[int, list[LogRow]]:
    """The review log of each card, oldest first."""
    return _logs(conn, card_ids, "r.id, r.rating, r.reviewed_at, r.duration_ms, r.before, r.after, r.uid, r.device")


def log_times_of(conn: sqlite3.Connection, card_ids: list[int]) -> dict[int, list[tuple[int, int, int]]]:
    """(review id, rating, reviewed_at_us) of each card's log, oldest first: what tells a new answer from a known one,
    without the states (most of a log's bytes)."""
    return _logs(conn, card_ids, "r.id, r.rating, r.reviewed_at")


def _logs(conn: sqlite3.Connection, card_ids: list[int], columns: str) -> dict[int, list[tuple]]:
    logs: dict[int, list[tuple]] = {card_id: [] for card_id in card_ids}
    if not card_ids:
        return logs
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_cards (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM import_cards")
    conn.executemany("INSERT INTO import_cards VALUES (?)", ((card_id,) for card_id in card_ids))
    rows = conn.execute(f"SELECT r.card_id, {columns} FROM review r JOIN import_cards i ON i.id = r.card_id ORDER BY r.card_id, r.id").fetchall()
    conn.execute("DELETE FROM import_cards")
    for row in rows:
        logs[row[0]].append(row[1:])
    return logs


def update_log_states(conn: sqlite3.Connection, rows: list[tuple[str, str, int]]) -> None:
    """Rewrite (before-JSON, after-JSON, review id) of existing log rows."""
    conn.executemany("UPDATE review SET before = ?, after = ? WHERE id = ?", rows)


def imported_review_uids(card_uid: str, reviewed_at_us: list[int]) -> list[str]:
    """The global ids of a card's answers imported from an Anki package, for ``srs remote``: time-ordered like the
    answer path's, then a digest of the card's deck-file id instead of random bytes. Every device that imports the
    same package gives an answer the same id, so a sync sees one answer, not one per device. (An Anki review log
    holds one answer per card and millisecond: the time and the card name it.)"""
    import hashlib  # here: the answer path does not need it

    card_part = hashlib.blake2b(card_uid.encode(), digest_size=8).hexdigest()
    return [f"{at:013x}{card_part}" for at in reviewed_at_us]


def insert_reviews(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Append (card_id, rating, reviewed_at_us, duration_ms, state_before, interval_before, before-JSON, after-JSON, uid, device) rows."""
    with bulk_reviews(conn, len(rows)) as add:
        add(rows)


@contextmanager
def bulk_reviews(conn: sqlite3.Connection, expected: int) -> Iterator[Callable[[list[tuple]], None]]:
    """A function that appends rows as ``insert_reviews`` does, for ``expected`` rows that come in parts (in their order).

    Many rows into a log that holds fewer: the log's indexes are dropped and built again after the rows are in
    (inside the caller's transaction, from their own stored SQL), as sorting once beats 4 random B-tree inserts a row;
    the rows go in ``ROWS_PER_INSERT`` to a statement, with a page cache that holds what the index builds sort.
    """
    if expected < BULK_ROWS:
        yield lambda rows: conn.executemany(INSERT_REVIEW + _ROW_MARKS, rows)
        return
    indexes = []
    if expected > _review_count(conn):
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review' AND sql IS NOT NULL").fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield partial(_insert_many, conn)
        for _name, sql in indexes:
            conn.execute(sql)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def _insert_many(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """The rows in statements of ``ROWS_PER_INSERT`` rows, the rest one by one."""
    size = ROWS_PER_INSERT
    whole, many = len(rows) - len(rows) % size, INSERT_REVIEW + ",".join([_ROW_MARKS] * size)
    for start in range(0, whole, size):
        conn.execute(many, list(chain.from_iterable(rows[start : start + size])))
    conn.executemany(INSERT_REVIEW + _ROW_MARKS, rows[whole:])


INSERT_REVIEW = "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid, device) VALUES "
_ROW_MARKS = "(?,?,?,?,?,?,?,?,?,?)"
ROWS_PER_INSERT = 500  # 5000 parameters a statement: under SQLite's limit (32766), and fewer calls than one row each
BULK_CACHE_KIB = 65536  # 64 MB while the rows go in and the indexes are built; the connection's own size after
BULK_ROWS = 5000


def _review_count(conn: sqlite3.Connection) -> int:
    """How many rows the log holds, or a bound on it: the largest id (ids only grow), without a scan."""
    row = conn.execute("SELECT max(id) FROM review").fetchone()
    return row[0] or 0


def delete_reviews(conn: sqlite3.Connection, card_id: int) -> dict[int, int]:
    """Delete a card's log (to write it again in time order); returns review id -> reviewed_at_us of the quiz answers that pointed at it."""
    linked = dict(
        conn.execute(
            "SELECT r.id, r.reviewed_at FROM review r JOIN quiz_item q ON q.review_id = r.id WHERE r.card_id = ?", (card_id,)
        ).fetchall()
    )
    conn.execute("DELETE FROM review WHERE card_id = ?", (card_id,))
    return linked


def relink_quiz_items(conn: sqlite3.Connection, card_id: int, linked: dict[int, int]) -> None:
    """Point quiz answers back at the rewritten log rows of ``card_id`` (matched by review time)."""
    for old_id, reviewed_at in linked.items():
        row = conn.execute("SELECT id FROM review WHERE card_id = ? AND reviewed_at = ? ORDER BY id LIMIT 1", (card_id, reviewed_at)).fetchone()
        conn.execute("UPDATE quiz_item SET review_id = ? WHERE review_id = ?", (row[0] if row else None, old_id))


def set_card_states(conn: sqlite3.Connection, rows: list[tuple[int, MemoryState, bool]]) -> None:
    """Set (card id, state, suspended) of imported cards."""
    conn.executemany(
        "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=?, suspended=? WHERE id=?",
        [(int(m.state), m.step, m.stability, m.difficulty, to_us(m.due), to_us(m.last_review), m.reps, m.lapses, suspended, card_id)
         for card_id, m, suspended in rows],
    )



def set_card_values(conn: sqlite3.Connection, rows: list[tuple[int, tuple, bool]]) -> None:
    """Set (card id, state as ``scheduling.StateTuple``, suspended) of imported cards: ``set_card_states`` on numbers."""
    conn.executemany(
        "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=?, suspended=? WHERE id=?",
        [(int(v[0]), v[1], v[2], v[3], v[4], v[5], v[6], v[7], suspended, card_id) for card_id, v, suspended in rows],
    )


def set_suspended(conn: sqlite3.Connection, rows: list[tuple[bool, int]]) -> None:
    """Set (suspended, card id)."""
    conn.executemany("UPDATE card SET suspended = ? WHERE id = ?", rows)

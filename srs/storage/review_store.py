"""SQL on the review hot paths: the queue, one answer, undo, bury, suspend.

Plain SQL on the ``sqlite3`` connection: these run on every key press.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import cache
from os import urandom
from sqlite3 import Connection
from typing import NamedTuple

from srs.errors import CardNotFound, NothingToUndo
from srs.model import CardRow, Flags, MemoryState, Rating, Scope, State
from srs.storage.rows import STATE_COLUMNS, flags_from_row, memory_from_row, scope_filter
from srs.storage.timecodec import from_us, to_us

CARD_COLUMNS = (
    "c.id, c.uid, d.name, coalesce(t.front, ''), coalesce(t.back, ''), coalesce(t.extra, ''), c.tags, c.difficulty, "
    "coalesce(t.sources, ''), c.draft, c.retired, " + ", ".join("c." + col for col in STATE_COLUMNS.split(", "))
)
# A card with its deck and its text (``card_text``, one row per card). A card whose text row was deleted outside srs
# still reads, with empty text: a session skips it (``Availability.has_text``) and ``srs doctor`` names it.
CARD_TABLES = "card c JOIN deck d ON d.id = c.deck_id LEFT JOIN card_text t ON t.card_id = c.id"


def _card_row(row) -> CardRow:
    return CardRow(
        id=row[0], uid=row[1], deck=row[2], front=row[3], back=row[4], extra=row[5],
        tags=tuple(row[6].split()), difficulty=row[7], sources=tuple(s for s in row[8].split("\n") if s),
        draft=bool(row[9]), retired=bool(row[10]), memory=memory_from_row(row[11:]),
        suspended=bool(row[19]), leech=bool(row[20]), buried_until=from_us(row[21]),
    )


def fetch_cards(conn: Connection, card_ids: list[int]) -> dict[int, CardRow]:
    """Cards by internal id."""
    if not card_ids:
        return {}
    found = {}
    for start in range(0, len(card_ids), 900):
        chunk = card_ids[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_TABLES} WHERE c.id IN ({marks})", chunk):
            found[row[0]] = _card_row(row)
    return found


def card_by_uid(conn: Connection, uid: str) -> CardRow:
    """One card by its deck-file id."""
    row = conn.execute(f"SELECT {CARD_COLUMNS} FROM {CARD_TABLES} WHERE c.uid = ?", (uid,)).fetchone()
    if row is None:
        raise CardNotFound(f"no card with id '{uid}'")
    return _card_row(row)


def memory_to_json(memory: MemoryState, flags: Flags) -> str:
    """A state as JSON for the review log (exact: floats and microsecond times round-trip)."""
    return stored_state_json(stored_state(memory, flags))


def stored_state(memory: MemoryState, flags: Flags) -> tuple:
    """A state and flags as the card table stores them: ``STATE_COLUMNS`` order, times as microseconds."""
    return (int(memory.state), memory.step, memory.stability, memory.difficulty, to_us(memory.due), to_us(memory.last_review),
            memory.reps, memory.lapses, flags.suspended, flags.leech, to_us(flags.buried_until))


def stored_state_json(values: Sequence) -> str:
    """``memory_to_json`` of a state given as stored (``stored_state``, or a row's first ``STATE_COLUMNS``)."""
    return values_to_json(values, _flags_tail(values[8], values[9], values[10]))


def flags_json_tail(flags: Flags) -> str:
    """The end of ``memory_to_json``'s text for ``flags`` (", false, false, null]"), for ``values_to_json``."""
    return _flags_tail(flags.suspended, flags.leech, to_us(flags.buried_until))


def _flags_tail(suspended: object, leech: object, buried_until_us: int | None) -> str:
    return f", {'true' if suspended else 'false'}, {'true' if leech else 'false'}, {'null' if buried_until_us is None else buried_until_us}]"


NEW_STATE_HEAD = "[0, null, null, null, null, null, 0, 0"  # memory_to_json(MemoryState(), flags) is this + flags_json_tail(flags)


def values_to_json(values: Sequence, tail: str) -> str:
    """``memory_to_json`` of a state given as numbers (the first eight of ``values``: a ``scheduling.StateTuple``, or
    stored columns, None where unset), ending in a ``flags_json_tail``.

    The text json.dumps writes, made by an f-string without building a MemoryState and a list per state (an import
    writes 100k): json writes ints with ``int.__repr__`` and finite floats with ``float.__repr__``, as this does
    (tests/test_storage.py and tests/test_scheduling_kernel.py compare the two).
    """
    kind, step, stability, difficulty, due, last, reps, lapses = values[:8]
    if (stability is not None and stability - stability != 0.0) or (difficulty is not None and difficulty - difficulty != 0.0):
        # inf or nan: json spells them Infinity and NaN
        return _encode_json([int(kind), step, stability, difficulty, due, last, reps, lapses]).removesuffix("]") + tail
    return (
        f"[{kind}, {'null' if step is None else step}, {'null' if stability is None else repr(stability)}, "
        f"{'null' if difficulty is None else repr(difficulty)}, {'null' if due is None else due}, "
        f"{'null' if last is None else last}, {reps}, {lapses}{tail}"
    )


@cache
def _json_encoder() -> Callable[[object], str]:
    """What json.dumps uses when given no options (the same text), made once instead of per call: a replay writes 100k states.

    The C encoder json.dumps builds inside ``iterencode``; the pure-Python one where the C accelerator is missing.
    Made on first use: the json module is not needed before a review's first card (cold start, issue #15).
    """
    import json

    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder().encode
    encoder = make(None, None, json.encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encoder(value, 0))


def _encode_json(value: object) -> str:
    """``json.dumps(value)``."""
    return _json_encoder()(value)


def memory_from_json(text: str) -> tuple[MemoryState, Flags]:
    """Inverse of ``memory_to_json``."""
    import json

    v = json.loads(text)
    return MemoryState(State(v[0]), v[1], v[2], v[3], from_us(v[4]), from_us(v[5]), v[6], v[7]), Flags(bool(v[8]), bool(v[9]), from_us(v[10]))


LIVE = "c.draft = 0 AND c.retired = 0 AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= ?)"


def learning_due(conn: Connection, scope: Scope, until: datetime, now: datetime) -> list[tuple[int, int, int]]:
    """(id, deck_id, due_us) of learning/relearning cards due by ``until``, soonest first."""
    where, params = scope_filter(scope, deck_index=False)
    # `c.state > 0` repeats ix_card_due's WHERE: SQLite uses a partial index only when the query states its condition.
    sql = f"SELECT c.id, c.deck_id, c.due FROM card c WHERE c.state IN (1, 3) AND c.state > 0 AND c.due <= ? AND {LIVE}{where} ORDER BY c.due"
    return conn.execute(sql, [to_us(until), to_us(now), *params]).fetchall()


def reviews_due(conn: Connection, scope: Scope, before: datetime, now: datetime, limit: int) -> Iterator[tuple[int, int, int]]:
    """(id, deck_id, due_us) of review cards due before ``before``, most overdue first.

    Rows are read lazily from the index: a caller that stops after the cards it needs reads no more.
    """
    where, params = scope_filter(scope, deck_index=False)
    sql = f"SELECT c.id, c.deck_id, c.due FROM card c WHERE c.state = 2 AND c.state > 0 AND c.due < ? AND {LIVE}{where} ORDER BY c.due LIMIT ?"
    return _lazy(conn.execute(sql, [to_us(before), to_us(now), *params, limit]))


def new_cards(conn: Connection, scope: Scope, now: datetime, limit: int) -> Iterator[tuple[int, int]]:
    """(id, deck_id) of new cards in deck order (file, then position), read lazily."""
    where, params = scope_filter(scope, deck_index=False)
    sql = f"SELECT c.id, c.deck_id FROM card c WHERE c.state = 0 AND {LIVE}{where} ORDER BY c.origin, c.position LIMIT ?"
    return _lazy(conn.execute(sql, [to_us(now), *params, limit]))


def _lazy(cursor) -> Iterator[tuple]:
    """Rows one at a time; the statement is closed as soon as the caller drops the iterator."""
    try:
        yield from cursor
    finally:
        cursor.close()


def done_today(conn: Connection, day_start: datetime) -> tuple[dict[int, int], dict[int, int]]:
    """Per deck id: new cards introduced and review cards answered since ``day_start``."""
    rows = conn.execute(
        "SELECT c.deck_id, r.state_before, count(DISTINCT r.card_id) FROM review r JOIN card c ON c.id = r.card_id "
        "WHERE r.reviewed_at >= ? AND r.state_before IN (0, 2) GROUP BY c.deck_id, r.state_before",
        (to_us(day_start),),
    ).fetchall()
    new, reviews = {}, {}
    for deck_id, state_before, count in rows:
        (new if state_before == 0 else reviews)[deck_id] = count
    return new, reviews


def record_answer(
    conn: Connection, card_id: int, rating: Rating, reviewed_at: datetime, duration_ms: int | None,
    before: MemoryState, before_flags: Flags, after: MemoryState, after_flags: Flags,
) -> int:
    """Update the card and append the log entry (the caller's transaction makes them one). Returns the log id."""
    return record_answer_on_stored(conn, card_id, rating, reviewed_at, duration_ms, stored_state(before, before_flags), after, after_flags)


def record_answer_on_stored(
    conn: Connection, card_id: int, rating: Rating, reviewed_at: datetime, duration_ms: int | None,
    before: Sequence, after: MemoryState, after_flags: Flags,
) -> int:
    """``record_answer`` with the state before as the card row holds it (``load_state_and_deck``'s row): the answer
    path writes it to the log without converting it back and forth."""
    stored = stored_state(after, after_flags)
    conn.execute(
        "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=?, "
        "suspended=?, leech=?, buried_until=? WHERE id=?",
        (*stored, card_id),
    )
    due, last = before[4], before[5]
    interval = None if due is None or last is None else (due - last) / 86_400_000_000
    at_us = to_us(reviewed_at)
    # uid: a globally unique, time-ordered id for `srs remote` (the one extra column of the answer path)
    cur = conn.execute(
        "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid) VALUES (?,?,?,?,?,?,?,?,?)",
        (card_id, int(rating), at_us, duration_ms, before[0], interval, stored_state_json(before), stored_state_json(stored),
         f"{at_us:013x}{urandom(8).hex()}"),
    )
    return cur.lastrowid


class Availability(NamedTuple):
    """What decides whether a card may be answered now; re-read inside the answer's transaction."""

    uid: str
    draft: bool
    retired: bool
    suspended: bool
    buried_until: datetime | None
    has_text: bool = True  # read by ``availability`` (before a card is shown); an answer needs no text


def load_state(conn: Connection, card_id: int) -> tuple[MemoryState, Flags]:
    """A card's current scheduling state and flags."""
    memory, flags, _deck_id, _availability, _row = load_state_and_deck(conn, card_id)
    return memory, flags


def load_state_and_deck(conn: Connection, card_id: int) -> tuple[MemoryState, Flags, int, Availability, tuple]:
    """A card's current scheduling state, flags, deck id and availability, in one query (the answer path); and the
    row itself, whose first ``STATE_COLUMNS`` ``record_answer_on_stored`` takes."""
    row = conn.execute(f"SELECT {STATE_COLUMNS}, deck_id, uid, draft, retired FROM card WHERE id = ?", (card_id,)).fetchone()
    if row is None:
        raise CardNotFound(f"no card with internal id {card_id}")
    flags = flags_from_row(row)
    return memory_from_row(row), flags, row[11], Availability(row[12], bool(row[13]), bool(row[14]), flags.suspended, flags.buried_until), row


def availability(conn: Connection, card_id: int) -> Availability:
    """Whether a card is retired, a draft, suspended or buried, as stored now."""
    row = conn.execute(
        "SELECT uid, draft, retired, suspended, buried_until, EXISTS (SELECT 1 FROM card_text WHERE card_id = card.id) FROM card WHERE id = ?",
        (card_id,),
    ).fetchone()
    if row is None:
        raise CardNotFound(f"no card with internal id {card_id}")
    return Availability(row[0], bool(row[1]), bool(row[2]), bool(row[3]), from_us(row[4]), bool(row[5]))


def last_review_entry(conn: Connection, review_id: int | None = None, card_id: int | None = None) -> tuple[int, int, str]:
    """(review id, card id, before-JSON) of the newest answer, or of ``review_id`` (which must be ``card_id``'s).

    Review ids are never reused (AUTOINCREMENT), so an id held by an open session names that answer or nothing.
    """
    if review_id is None:
        row = conn.execute("SELECT id, card_id, before FROM review ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise NothingToUndo("there is no answer to undo")
    else:
        row = conn.execute("SELECT id, card_id, before FROM review WHERE id = ?", (review_id,)).fetchone()
        if row is None or (card_id is not None and row[1] != card_id):
            raise NothingToUndo("that answer was already undone elsewhere (by 'srs undo' or another window)")
    newer = conn.execute("SELECT 1 FROM review WHERE card_id = ? AND id > ? LIMIT 1", (row[1], row[0])).fetchone()
    if newer:
        raise NothingToUndo("that card was answered again since; undo its newer answer first")
    return row


def restore_state(conn: Connection, card_id: int, memory: MemoryState, flags: Flags) -> None:
    """Put back a card's exact scheduling state."""
    conn.execute(
        "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=?, "
        "suspended=?, leech=?, buried_until=? WHERE id=?",
        (int(memory.state), memory.step, memory.stability, memory.difficulty, to_us(memory.due), to_us(memory.last_review),
         memory.reps, memory.lapses, flags.suspended, flags.leech, to_us(flags.buried_until), card_id),
    )


def delete_review(conn: Connection, review_id: int) -> None:
    """Remove one log entry (undo)."""
    conn.execute("DELETE FROM review WHERE id = ?", (review_id,))


def set_flags(conn: Connection, card_ids: list[int], **values) -> int:
    """Set suspended / buried_until on cards; returns how many exist."""
    assignments = ", ".join(f"{name} = ?" for name in values)
    params = [to_us(v) if isinstance(v, datetime) else v for v in values.values()]
    return sum(conn.execute(f"UPDATE card SET {assignments} WHERE id = ?", (*params, card_id)).rowcount for card_id in card_ids)


def card_history(conn: Connection, card_id: int) -> list[tuple]:
    """(id, rating, reviewed_at, duration_ms, before, after) of a card's answers, oldest first."""
    rows = conn.execute(
        "SELECT id, rating, reviewed_at, duration_ms, before, after FROM review WHERE card_id = ? ORDER BY id", (card_id,)
    ).fetchall()
    return [(r[0], Rating(r[1]), from_us(r[2]), r[3], r[4], r[5]) for r in rows]


def deck_names(conn: Connection) -> dict[int, str]:
    """Deck id -> name."""
    return dict(conn.execute("SELECT id, name FROM deck").fetchall())


def next_due_after(conn: Connection, scope: Scope, moment: datetime) -> datetime | None:
    """When the next scheduled card falls due after ``moment``."""
    where, params = scope_filter(scope)
    row = conn.execute(
        f"SELECT min(c.due) FROM card c WHERE c.state > 0 AND c.due > ? AND c.draft = 0 AND c.retired = 0 AND c.suspended = 0{where}",
        [to_us(moment), *params],
    ).fetchone()
    return from_us(row[0]) if row and row[0] is not None else None


def counts_by_deck(conn: Connection, day_end: datetime, now: datetime) -> dict[int, tuple[int, int, int]]:
    """deck id -> (new available, learning due today, reviews due today), before daily limits."""
    rows = conn.execute(
        "SELECT c.deck_id, sum(c.state = 0), sum(c.state IN (1, 3) AND c.due < ?), sum(c.state = 2 AND c.due < ?) "
        f"FROM card c WHERE {LIVE} GROUP BY c.deck_id",
        (to_us(day_end), to_us(day_end), to_us(now)),
    ).fetchall()
    return {row[0]: (row[1] or 0, row[2] or 0, row[3] or 0) for row in rows}

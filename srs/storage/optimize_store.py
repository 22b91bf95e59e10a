"""SQL for ``srs optimize`` and ``srs simulate``: the review log per card, card states, rescheduling."""

from __future__ import annotations
from sqlite3 import Connection

from srs.model import MemoryState, Scope, State
from srs.storage.rows import scope_filter
from srs.storage.timecodec import from_us, to_us

# The rows Anki's optimizer reads by default are `preset:X -is:suspended`: leeches stay out of the fit.
_FIT_CARDS = "c.suspended = 0"
LIVE_CARDS = "c.draft = 0 AND c.retired = 0 AND c.suspended = 0"


def review_log(conn: Connection, scope: Scope) -> list[tuple[int, int, int, int]]:
    """(card_id, reviewed_at_us, review_id, answer) of unsuspended cards in scope, by card then time.

    ``answer`` packs the rating and the state before it as ``rating * 4 + state_before`` (``unpack_answer``):
    one small int instead of two columns makes reading a 100k-answer log a fifth faster.
    """
    where, params = scope_filter(scope)
    columns = "SELECT r.card_id, r.reviewed_at, r.id, r.rating * 4 + r.state_before FROM review r"
    if where:
        # A deck or tag: look its cards' answers up card by card.
        rows = conn.execute(f"{columns} WHERE r.card_id IN (SELECT c.id FROM card c WHERE {_FIT_CARDS}{where})", params).fetchall()
    else:
        # The whole log: one pass over the covering index, then drop suspended cards (a join per row is slower).
        suspended = {row[0] for row in conn.execute("SELECT id FROM card WHERE suspended = 1")}
        rows = conn.execute(columns).fetchall()
        if suspended:
            rows = [row for row in rows if row[0] not in suspended]
    rows.sort()  # by card, then time (then id): the order the answers were given, as Anki orders its revlog
    return rows


def pack_answer(rating: int, state_before: int) -> int:
    """The ``answer`` column of ``review_log``."""
    return rating * 4 + state_before


def unpack_answer(answer: int) -> tuple[int, int]:
    """(rating, state_before) from the ``answer`` column of ``review_log``."""
    return answer >> 2, answer & 3


def review_count(conn: Connection, scope: Scope) -> int:
    """How many answers ``review_log`` would return."""
    where, params = scope_filter(scope)
    sql = f"SELECT count(*) FROM review r WHERE r.card_id IN (SELECT c.id FROM card c WHERE {_FIT_CARDS}{where})"
    return conn.execute(sql, params).fetchone()[0]


def replay_log(conn: Connection, scope: Scope) -> list[tuple[int, int, int, int, str, int, str]]:
    """(card_id, deck_id, rating, reviewed_at_us, before-JSON, review id, after-JSON) of every answered card in scope, by card then time."""
    where, params = scope_filter(scope)
    sql = (
        "SELECT r.card_id, c.deck_id, r.rating, r.reviewed_at, r.before, r.id, r.after FROM review r JOIN card c ON c.id = r.card_id "
        f"WHERE c.state > 0{where} ORDER BY r.card_id, r.id"
    )
    return conn.execute(sql, params).fetchall()


def card_states(conn: Connection, scope: Scope) -> dict[int, MemoryState]:
    """Scheduling state of every answered card in scope."""
    where, params = scope_filter(scope)
    sql = (
        "SELECT c.id, c.state, c.step, c.stability, c.fsrs_difficulty, c.due, c.last_review, c.reps, c.lapses FROM card c "
        f"WHERE c.state > 0{where}"
    )
    return {
        row[0]: MemoryState(State(row[1]), row[2], row[3], row[4], from_us(row[5]), from_us(row[6]), row[7], row[8])
        for row in conn.execute(sql, params)
    }


def update_states(conn: Connection, changes: list[tuple[int, MemoryState, MemoryState, list[tuple[int, str, str]]]]) -> int:
    """Write new states for (card_id, planned-from, new, log rewrites). A card answered since the plan was made is left alone.

    Each log rewrite is (review id, before-JSON, after-JSON): the log is rewritten with the replayed
    states, so undo and ``srs doctor`` agree with the new card state. Returns how many cards were updated.
    """
    updated = 0
    for card_id, old, new, log in changes:
        changed = conn.execute(
            "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=? "
            "WHERE id=? AND reps=? AND last_review IS ?",
            (int(new.state), new.step, new.stability, new.difficulty, to_us(new.due), to_us(new.last_review), new.reps, new.lapses,
             card_id, old.reps, to_us(old.last_review)),
        ).rowcount
        if changed:
            conn.executemany("UPDATE review SET before = ?, after = ? WHERE id = ?", [(before, after, review_id) for review_id, before, after in log])
        updated += changed
    return updated


def simulation_cards(conn: Connection, scope: Scope) -> list[tuple]:
    """(id, deck_id, state, stability, fsrs_difficulty, due_us, last_review_us, lapses) of cards that can be studied.

    Answered cards first, then new cards in the order they are introduced.
    """
    where, params = scope_filter(scope)
    sql = (
        "SELECT c.id, c.deck_id, c.state, c.stability, c.fsrs_difficulty, c.due, c.last_review, c.lapses FROM card c "
        f"WHERE {LIVE_CARDS}{where} ORDER BY c.state = 0, c.origin, c.position"
    )
    return conn.execute(sql, params).fetchall()


def answer_stats(conn: Connection, scope: Scope, max_ms: int) -> list[tuple[int, int, int, int, int]]:
    """(state_before, rating, answers, timed answers, total ms of timed answers) for the cards in scope.

    An answer is timed when its duration is known, positive and under ``max_ms``.
    """
    where, params = scope_filter(scope)
    sql = (
        "SELECT r.state_before, r.rating, count(*), "
        "sum(r.duration_ms > 0 AND r.duration_ms < ?), coalesce(sum(CASE WHEN r.duration_ms > 0 AND r.duration_ms < ? THEN r.duration_ms END), 0) "
        f"FROM review r JOIN card c ON c.id = r.card_id WHERE 1 = 1{where} GROUP BY r.state_before, r.rating"
    )
    return conn.execute(sql, [max_ms, max_ms, *params]).fetchall()

"""SQL for timed quizzes: candidate cards, and the quiz history."""

from __future__ import annotations

from datetime import datetime
from sqlite3 import Connection

from srs.model import MemoryState, Scope, State
from srs.storage.rows import scope_filter
from srs.storage.timecodec import from_us, to_us


def candidates(conn: Connection, scope: Scope, now: datetime) -> list[tuple]:
    """(id, deck name, difficulty, MemoryState) of every card a quiz may ask: live, not draft, not suspended or buried,
    with its text (a text deleted outside srs leaves nothing to ask; ``srs doctor`` names such cards)."""
    where, params = scope_filter(scope)
    rows = conn.execute(
        "SELECT c.id, d.name, c.difficulty, c.state, c.step, c.stability, c.fsrs_difficulty, c.due, c.last_review, c.reps, c.lapses "
        "FROM card c JOIN deck d ON d.id = c.deck_id "
        "WHERE c.draft = 0 AND c.retired = 0 AND c.suspended = 0 AND (c.buried_until IS NULL OR c.buried_until <= ?) "
        "AND EXISTS (SELECT 1 FROM card_text t WHERE t.card_id = c.id)" + where
        + " ORDER BY c.origin, c.position",
        [to_us(now), *params],
    ).fetchall()
    return [
        (r[0], r[1], r[2], MemoryState(State(r[3]), r[4], r[5], r[6], from_us(r[7]), from_us(r[8]), r[9], r[10]))
        for r in rows
    ]


def start_quiz(conn: Connection, started_at: datetime, deck: str | None, topic: str | None, planned: int, budget_ms: int) -> int:
    """Create the quiz row; returns its id."""
    cur = conn.execute(
        "INSERT INTO quiz (started_at, deck, topic, planned, budget_ms) VALUES (?, ?, ?, ?, ?)",
        (to_us(started_at), deck, topic, planned, budget_ms),
    )
    return cur.lastrowid


def record_item(conn: Connection, quiz_id: int, item: dict) -> None:
    """Store one question's result and keep the quiz's running totals."""
    conn.execute(
        "INSERT INTO quiz_item (quiz_id, card_id, position, difficulty, correct, timed_out, elapsed_ms, budget_ms, rating, review_id) "
        "VALUES (:quiz_id, :card_id, :position, :difficulty, :correct, :timed_out, :elapsed_ms, :budget_ms, :rating, :review_id)",
        {**item, "quiz_id": quiz_id},
    )
    conn.execute(
        "UPDATE quiz SET answered = answered + 1, correct = correct + ?, time_used_ms = time_used_ms + ? WHERE id = ?",
        (int(item["correct"]), item["elapsed_ms"], quiz_id),
    )


def finish_quiz(conn: Connection, quiz_id: int, finished_at: datetime) -> None:
    """Mark the quiz finished."""
    conn.execute("UPDATE quiz SET finished_at = ? WHERE id = ?", (to_us(finished_at), quiz_id))


def quiz_history(conn: Connection, limit: int | None = 50) -> list[dict]:
    """The newest quizzes with at least one answer (all of them with ``limit=None``), oldest first."""
    rows = conn.execute(
        "SELECT id, started_at, finished_at, deck, topic, planned, answered, correct, time_used_ms, budget_ms FROM quiz "
        "WHERE answered > 0 ORDER BY id DESC LIMIT ?",
        (-1 if limit is None else limit,),
    ).fetchall()
    keys = ("id", "started_at", "finished_at", "deck", "topic", "planned", "answered", "correct", "time_used_ms", "budget_ms")
    history = []
    for row in reversed(rows):
        entry = dict(zip(keys, row))
        entry["started_at"] = from_us(entry["started_at"]).isoformat()
        entry["finished_at"] = from_us(entry["finished_at"]).isoformat() if entry["finished_at"] else None
        entry["score"] = round(entry["correct"] / entry["answered"], 4)
        history.append(entry)
    return history

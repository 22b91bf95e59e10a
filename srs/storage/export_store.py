"""SQL for exporting scheduling: every card's state and its review log, by uid.

Functions take a DB-API ``sqlite3.Connection``.
"""

from __future__ import annotations

import sqlite3


def card_schedules(conn: sqlite3.Connection) -> dict[str, tuple]:
    """uid -> (card id, deck id, state, step, stability, fsrs_difficulty, due_us, last_review_us, reps, lapses, suspended)."""
    rows = conn.execute(
        "SELECT uid, id, deck_id, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended FROM card"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def review_logs(conn: sqlite3.Connection) -> dict[int, list[tuple]]:
    """card id -> [(rating, reviewed_at_us, duration_ms, before-JSON, after-JSON)], oldest first."""
    logs: dict[int, list[tuple]] = {}
    for row in conn.execute("SELECT card_id, rating, reviewed_at, duration_ms, before, after FROM review ORDER BY card_id, id"):
        logs.setdefault(row[0], []).append(row[1:])
    return logs

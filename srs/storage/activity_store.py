"""SQL for "what was studied when": answers and study time in a time window (deck list, streak)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from srs.storage.timecodec import to_us


def answers_between(conn: Connection, start: datetime, end: datetime) -> tuple[int, int]:
    """(answers, total duration in ms) of the review log entries in ``[start, end)``."""
    row = conn.connection.driver_connection.execute(
        "SELECT count(*), coalesce(sum(duration_ms), 0) FROM review WHERE reviewed_at >= ? AND reviewed_at < ?",
        (to_us(start), to_us(end)),
    ).fetchone()
    return row[0], row[1]


def any_answer_between(conn: Connection, start: datetime, end: datetime) -> bool:
    """Whether at least one answer was logged in ``[start, end)`` (one index probe)."""
    row = conn.connection.driver_connection.execute(
        "SELECT 1 FROM review WHERE reviewed_at >= ? AND reviewed_at < ? LIMIT 1", (to_us(start), to_us(end))
    ).fetchone()
    return row is not None

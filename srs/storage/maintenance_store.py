"""SQL for maintenance: integrity checks, per-card logs for the doctor."""

from __future__ import annotations

from sqlite3 import Connection

from srs.storage.failures import UNREADABLE_SCHEMA
from srs.storage.rows import STATE_COLUMNS, flags_from_row, memory_from_row
from srs.storage.timecodec import from_us


def integrity_problems(conn: Connection) -> list[str]:
    """Messages from ``PRAGMA integrity_check`` and ``foreign_key_check`` (empty when healthy)."""
    try:
        found = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    except UnicodeDecodeError:  # SQLite's message quoted bytes that are not text (srs.storage.failures)
        return [UNREADABLE_SCHEMA]
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        found.append(f"{table} row {rowid} points to a missing {parent}")
    return found


def cards_with_logs(conn: Connection):
    """Yield (card id, uid, deck_id, state, flags, [(review id, rating, reviewed_at, before, after, elsewhere), ...]) for every card.

    ``elsewhere``: the answer came from another device (``srs remote``), whose scheduler was seeded by its own card ids.
    """
    logs: dict[int, list] = {}
    sql = (
        "SELECT card_id, id, rating, reviewed_at, before, after, "
        "device IS NOT NULL AND device IS NOT (SELECT value FROM sync_state WHERE key = 'device') FROM review ORDER BY card_id, id"
    )
    for row in conn.execute(sql):
        logs.setdefault(row[0], []).append((row[1], row[2], from_us(row[3]), row[4], row[5], bool(row[6])))
    for row in conn.execute(f"SELECT id, uid, deck_id, {STATE_COLUMNS} FROM card ORDER BY id"):
        yield row[0], row[1], row[2], memory_from_row(row[3:]), flags_from_row(row[3:]), logs.get(row[0], [])



def cards_without_text(conn: Connection) -> list[tuple[str, str]]:
    """(uid, deck file) of each live card whose ``card_text`` row is missing (deleted outside srs). A retired card's
    text is read by nothing, and a sync that brings the card back writes it again."""
    return conn.execute(
        "SELECT uid, origin FROM card c WHERE c.retired = 0 AND NOT EXISTS (SELECT 1 FROM card_text t WHERE t.card_id = c.id) ORDER BY id"
    ).fetchall()

"""SQL for the render cache: HTML the Anki exporter rendered, by a digest of (renderer version, text).

The caller computes the keys; this module only stores and finds rows. A key that is found is by
construction the same text rendered by the same renderer, so a hit never needs checking.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from sqlite3 import Connection

from srs.storage.timecodec import from_us, to_us

_CHUNK = 500  # keys per IN (...) query; well under SQLite's parameter limit


def cached_html(conn: Connection, keys: Iterable[bytes]) -> dict[bytes, str]:
    """The stored HTML of every key in ``keys`` that has a row; when most of the cache is wanted, of every row."""
    keys = list(keys)
    if 2 * len(keys) >= render_cache_size(conn):
        # Most of the cache is wanted (a whole-collection export): one scan is ~3x faster than lookups, and
        # keeping the few unwanted rows is faster than testing every row.
        return dict(conn.execute("SELECT key, html FROM render_cache"))
    found: dict[bytes, str] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        sql = f"SELECT key, html FROM render_cache WHERE key IN ({','.join('?' * len(chunk))})"
        found.update(conn.execute(sql, chunk).fetchall())
    return found


def store_html(conn: Connection, renderer: str, rows: Iterable[tuple[bytes, str]]) -> None:
    """Add rendered HTML for ``renderer`` and drop every row of any other renderer (it can never hit again)."""
    conn.execute("DELETE FROM render_cache WHERE renderer != ?", (renderer,))
    conn.executemany("INSERT OR REPLACE INTO render_cache (key, renderer, html) VALUES (?, ?, ?)", ((key, renderer, html) for key, html in rows))


def render_cache_size(conn: Connection) -> int:
    """The number of cached renderings."""
    return conn.execute("SELECT count(*) FROM render_cache").fetchone()[0]


def keep_only(conn: Connection, keys: Iterable[bytes]) -> int:
    """Delete every row whose key is not in ``keys`` (texts no card has any more); return how many went."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS render_keep (key BLOB PRIMARY KEY)")
    try:
        conn.executemany("INSERT OR IGNORE INTO render_keep (key) VALUES (?)", ((key,) for key in keys))
        return conn.execute("DELETE FROM render_cache WHERE key NOT IN (SELECT key FROM render_keep)").rowcount
    finally:
        conn.execute("DROP TABLE temp.render_keep")


def clear_render_cache(conn: Connection) -> None:
    """Forget every cached rendering (the next export renders everything)."""
    conn.execute("DELETE FROM render_cache")


def renderer_since(conn: Connection, renderer: str) -> datetime | None:
    """When ``renderer`` was first used for an export, or None if never."""
    row = conn.execute("SELECT since FROM export_renderer WHERE renderer = ?", (renderer,)).fetchone()
    return None if row is None else from_us(row[0])


def record_renderer(conn: Connection, renderer: str, now: datetime) -> datetime:
    """Date ``renderer`` ``now`` unless an export already did; forget older renderers. Return its date."""
    conn.execute("DELETE FROM export_renderer WHERE renderer != ?", (renderer,))
    conn.execute("INSERT OR IGNORE INTO export_renderer (renderer, since) VALUES (?, ?)", (renderer, to_us(now)))
    return from_us(conn.execute("SELECT since FROM export_renderer WHERE renderer = ?", (renderer,)).fetchone()[0])


def clamp_future_export_dates(conn: Connection, now: datetime, latest: datetime) -> tuple[int, int]:
    """Date ``now`` every card content change and renderer first use after ``latest`` (stamped by a clock that ran
    ahead), so no date from the future sticks. Returns (cards, renderers) re-dated."""
    cards = conn.execute("UPDATE card SET content_changed_at = ? WHERE content_changed_at > ?", (to_us(now), to_us(latest))).rowcount
    renderers = conn.execute("UPDATE export_renderer SET since = ? WHERE since > ?", (to_us(now), to_us(latest))).rowcount
    return cards, renderers

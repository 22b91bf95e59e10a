"""SQL for ``srs stats``: aggregates over the card and review tables.

Everything is aggregated in SQLite over integer microsecond timestamps; Python only receives a
row per day, per time bucket or per distinct tag string. The review queries read only covering
indexes, never the wide log rows: ``ix_review_stats`` (reviews by time) and ``ix_review_card_stats``
(reviews by card). Card queries scan the card table itself, which holds no text (that is in ``card_text``).
"""

from __future__ import annotations

import json
import math
import sqlite3
from sqlite3 import Connection

from srs.model import Decay, Scope, TagRow
from srs.storage.rows import scope_filter

DAY_US = 86_400_000_000


def _with_pow(conn: Connection) -> Connection:
    """``conn``, with a ``pow`` SQL function: SQLite's math functions are a compile-time option."""
    try:
        conn.execute("SELECT pow(2.0, 0.5)").fetchone()
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)
    return conn


def _review_scope(scope: Scope) -> tuple[str, list]:
    """A filter on review rows ``r`` for the cards in ``scope`` (the card ids are collected once)."""
    where, params = scope_filter(scope)
    if not where:
        return "", []
    # The unary + keeps the planner on the time index: probing each of a deck's cards through a
    # card-id index for every day of the history was 40 s on the benchmark instead of 0.1 s.
    return f" AND +r.card_id IN (SELECT c.id FROM card c WHERE 1{where})", params


def today_totals(conn: Connection, scope: Scope, start_us: int, end_us: int) -> dict[str, int]:
    """Answers in [start, end): count, distinct cards, new cards seen, time spent, and count per rating."""
    where, params = _review_scope(scope)
    row = _with_pow(conn).execute(
        "SELECT count(*), count(DISTINCT r.card_id), count(DISTINCT CASE WHEN r.state_before = 0 THEN r.card_id END), "
        "coalesce(sum(r.duration_ms), 0), coalesce(sum(r.rating = 1), 0), coalesce(sum(r.rating = 2), 0), "
        "coalesce(sum(r.rating = 3), 0), coalesce(sum(r.rating = 4), 0) "
        f"FROM review r WHERE r.reviewed_at >= ? AND r.reviewed_at < ?{where}",
        [start_us, end_us, *params],
    ).fetchone()
    keys = ("reviews", "cards", "new_seen", "time_ms", "again", "hard", "good", "easy")
    return dict(zip(keys, row))


def card_counts(conn: Connection, scope: Scope, now_us: int, mature_days: int) -> dict[str, int]:
    """Live cards (not draft, not retired) by state and flag, then drafts and retired cards."""
    where, params = scope_filter(scope)
    live = conn.execute(
        "SELECT count(*), sum(c.state = 0), sum(c.state = 1), sum(c.state = 2), sum(c.state = 3), "
        "sum(c.state = 2 AND c.due - c.last_review >= ?), sum(c.suspended), sum(c.buried_until > ?), sum(c.leech) "
        f"FROM card c WHERE c.draft = 0 AND c.retired = 0{where}",
        [mature_days * DAY_US, now_us, *params],
    ).fetchone()
    total, new, learning, review, relearning, mature, suspended, buried, leeches = (value or 0 for value in live)
    drafts, retired = conn.execute(
        f"SELECT sum(c.draft AND NOT c.retired), sum(c.retired) FROM card c WHERE 1{where}", params
    ).fetchone()
    return {
        "total": total, "new": new, "learning": learning, "review": review, "relearning": relearning,
        "young": review - mature, "mature": mature, "suspended": suspended, "buried": buried, "leeches": leeches,
        "drafts": drafts or 0, "retired": retired or 0,
    }


def due_buckets(conn: Connection, scope: Scope, until_us: int, width_us: int) -> list[tuple[int, int]]:
    """(bucket start, cards due in it) for scheduled, studiable cards due before ``until``, overdue included.

    Buckets are ``width_us`` wide and aligned to the epoch, so the caller can map them onto study days.
    """
    where, params = scope_filter(scope)
    # "+c.state": one pass over the card rows beats ix_card_due plus a lookup of each due card's row
    # for its flags (20 against 36-39 ms on 100k cards).
    return _with_pow(conn).execute(
        "SELECT (c.due / ?) * ?, count(*) FROM card c "
        f"WHERE +c.state > 0 AND c.due < ? AND c.draft = 0 AND c.retired = 0 AND c.suspended = 0{where} "
        "GROUP BY 1 ORDER BY 1",
        [width_us, width_us, until_us, *params],
    ).fetchall()


def first_review_us(conn: Connection, scope: Scope) -> int | None:
    """When the first answer in ``scope`` was given."""
    where, params = _review_scope(scope)
    return _with_pow(conn).execute(f"SELECT min(r.reviewed_at) FROM review r WHERE 1{where}", params).fetchone()[0]


def daily_review_counts(conn: Connection, scope: Scope, boundaries_us: list[int]) -> list[int]:
    """Answers between each pair of consecutive boundaries (len(boundaries) - 1 counts).

    One index range count per day: exact for days of any length (DST), and no per-row Python.
    """
    if len(boundaries_us) < 2:
        return []
    where, params = _review_scope(scope)
    days = json.dumps([[lo, hi] for lo, hi in zip(boundaries_us, boundaries_us[1:])])
    rows = _with_pow(conn).execute(
        "SELECT d.key, (SELECT count(*) FROM review r "
        "WHERE r.reviewed_at >= json_extract(d.value, '$[0]') AND r.reviewed_at < json_extract(d.value, '$[1]')"
        f"{where}) FROM json_each(?) d ORDER BY d.key",
        [*params, days],
    ).fetchall()
    return [count for _key, count in rows]


def true_retention_counts(conn: Connection, scope: Scope, start_us: int, end_us: int, mature_days: int) -> dict[str, int]:
    """Passed/failed answers to cards in review state (Anki's true retention) in [start, end), young vs mature."""
    where, params = _review_scope(scope)
    row = _with_pow(conn).execute(
        "SELECT count(*), coalesce(sum(r.rating > 1), 0), coalesce(sum(m), 0), coalesce(sum(m AND r.rating > 1), 0) FROM "
        "(SELECT r.rating, coalesce(r.interval_before, 0) >= ? AS m FROM review r "
        f"WHERE r.state_before = 2 AND r.reviewed_at >= ? AND r.reviewed_at < ?{where}) r",
        [mature_days, start_us, end_us, *params],
    ).fetchone()
    total, passed, mature, mature_passed = row
    return {
        "young_passed": passed - mature_passed,
        "young_failed": (total - mature) - (passed - mature_passed),
        "mature_passed": mature_passed,
        "mature_failed": mature - mature_passed,
    }


def _retrievability_sql(now_us: int, decays: dict[int, Decay], default: Decay) -> tuple[str, list]:
    """SQL for a card's retrievability at ``now``, as ``fsrs`` computes it (whole elapsed days), with its parameters.

    The constants come from each deck's FSRS parameters; a CASE on the deck is only built when they differ.
    """
    special = sorted((deck_id, d) for deck_id, d in decays.items() if d != default)
    if special:
        case = "CASE c.deck_id " + " ".join("WHEN ? THEN ?" for _ in special) + " ELSE ? END"
        factor_sql = decay_sql = case
        factor_params = [v for deck_id, d in special for v in (deck_id, d.factor)] + [default.factor]
        decay_params = [v for deck_id, d in special for v in (deck_id, d.decay)] + [default.decay]
    else:
        factor_sql = decay_sql = "?"
        factor_params, decay_params = [default.factor], [default.decay]
    expression = (
        "CASE WHEN c.state > 0 AND c.stability > 0 AND c.last_review IS NOT NULL THEN "
        f"pow(1.0 + ({factor_sql}) * max(0, (? - c.last_review) / {DAY_US}) / c.stability, {decay_sql}) END"
    )
    return expression, [*factor_params, now_us, *decay_params]


def tag_rows(
    conn: Connection, scope: Scope, now_us: int, since_us: int, end_us: int,
    decays: dict[int, Decay], default: Decay, known_at: float,
) -> list[TagRow]:
    """Per distinct tag string of live cards: cards, studied, true-retention answers in [since, end),
    the sum of current retrievability (for a mean) and how many cards are at ``known_at`` or above.

    One pass: cards in rowid order, each joined to its answers through ix_review_card_stats, so
    grouping per card needs no sort; only the ~100k per-card rows are grouped by tag string.
    """
    where, params = scope_filter(scope)
    r_sql, r_params = _retrievability_sql(now_us, decays, default)
    rows = _with_pow(conn).execute(
        "SELECT tags, count(*), sum(state > 0), coalesce(sum(n), 0), coalesce(sum(ok), 0), count(r), coalesce(sum(r), 0.0), "
        "coalesce(sum(r >= ?), 0) FROM ("
        f"  SELECT c.tags AS tags, c.state AS state, {r_sql} AS r, count(v.card_id) AS n, sum(v.rating > 1) AS ok"
        "   FROM card c LEFT JOIN review v ON v.card_id = c.id AND v.state_before = 2 AND v.reviewed_at >= ? AND v.reviewed_at < ?"
        f"  WHERE c.draft = 0 AND c.retired = 0{where} GROUP BY c.id"
        ") GROUP BY tags",
        [known_at, *r_params, since_us, end_us, *params],
    ).fetchall()
    return [TagRow(*row) for row in rows]

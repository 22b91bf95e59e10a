"""Applying events received from other devices to the local collection (plain sqlite3, no SQLAlchemy).

A card's history is the union of every device's events. It is rebuilt in time order (ties by uid): each review
keeps the result its device computed when that device saw the same state before it (the usual case: one
device at a time), and is recomputed through ``scheduling.review`` otherwise (two devices reviewed the card
offline). Either way every device that holds the same events ends with the same log and the same state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo

from srs import scheduling
from srs.model import MemoryState, Rating
from srs.review import SettingsBook
from srs.model import Flags
from srs.storage.review_store import memory_from_json, memory_to_json
from srs.storage.timecodec import from_us, to_us

FLAG_KINDS = ("bury", "suspend", "unsuspend", "undo")
NEW_JSON = memory_to_json(MemoryState(), Flags())


@dataclass
class Incoming:
    """One batch of events from the store, sorted out."""

    reviews: dict[str, list[tuple]] = field(default_factory=dict)  # card uid -> [(uid, device, rating, at, duration, before, after)]
    card_events: list[tuple] = field(default_factory=list)  # (uid, device, at, kind, card_uid, data)
    settings: list[tuple] = field(default_factory=list)  # (uid, device, at, kind, None, data)


@dataclass
class MergeResult:
    received: int = 0
    cards: int = 0
    recomputed: int = 0
    waiting_for_cards: int = 0


def sort_out(rows: Iterable[tuple]) -> Incoming:
    """Split pulled rows (seq, uid, device, kind, card_uid, at, rating, duration_ms, before, after, data)."""
    out = Incoming()
    for _seq, uid, device, kind, card_uid, at, rating, duration, before, after, data in rows:
        if kind == "review":
            out.reviews.setdefault(card_uid, []).append((uid, device, rating, at, duration, before, after))
        elif kind in ("setting", "unset"):
            out.settings.append((uid, device, at, kind, None, data))
        elif kind in FLAG_KINDS:
            out.card_events.append((uid, device, at, kind, card_uid, data))
    return out


def _known(raw: sqlite3.Connection, table: str, uids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(uids), 900):
        chunk = uids[start : start + 900]
        found.update(row[0] for row in raw.execute(f"SELECT uid FROM {table} WHERE uid IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _card_ids(raw: sqlite3.Connection, card_uids: list[str]) -> dict[str, tuple[int, int]]:
    """card uid -> (internal id, deck id), for the cards this collection has."""
    found = {}
    for start in range(0, len(card_uids), 900):
        chunk = card_uids[start : start + 900]
        for uid, card_id, deck_id in raw.execute(f"SELECT uid, id, deck_id FROM card WHERE uid IN ({','.join('?' * len(chunk))})", chunk):
            found[uid] = (card_id, deck_id)
    return found


def apply(raw: sqlite3.Connection, incoming: Incoming, zone: tzinfo) -> MergeResult:
    """Apply one batch inside the caller's write transaction."""
    result = MergeResult()
    new_events = incoming.card_events + incoming.settings
    known_events = _known(raw, "event", [e[0] for e in new_events])
    fresh_events = [e for e in new_events if e[0] not in known_events]
    raw.executemany("INSERT INTO event (uid, device, at, kind, card_uid, data) VALUES (?, ?, ?, ?, ?, ?)", fresh_events)
    result.received += len(fresh_events)
    if any(e[3] in ("setting", "unset") for e in fresh_events):
        _apply_settings(raw)

    reviews = dict(incoming.reviews)
    for card_uid, rows in _adopt_orphans(raw).items():
        reviews.setdefault(card_uid, []).extend(rows)
    all_uids = [r[0] for rows in reviews.values() for r in rows]
    known_reviews = _known(raw, "review", all_uids)
    reviews = {cu: [r for r in rows if r[0] not in known_reviews] for cu, rows in reviews.items()}
    reviews = {cu: rows for cu, rows in reviews.items() if rows}
    result.received += sum(len(rows) for rows in reviews.values())

    touched = set(reviews) | {e[4] for e in fresh_events if e[4] is not None}
    cards = _card_ids(raw, sorted(touched))
    missing = [(r[0], cu, r[1], r[3], "review", r[2], r[4], json.dumps([r[5], r[6]])) for cu, rows in reviews.items() if cu not in cards for r in rows]
    raw.executemany(
        "INSERT OR IGNORE INTO sync_orphan (uid, card_uid, device, at, kind, rating, duration_ms, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", missing
    )
    result.waiting_for_cards = len(missing)
    book = SettingsBook(_all_settings(raw), dict(raw.execute("SELECT id, name FROM deck").fetchall()))
    appended: list[tuple] = []
    for card_uid in sorted(cards):
        card_id, deck_id = cards[card_uid]
        result.recomputed += rebuild_card(raw, card_id, card_uid, book.for_deck_id(deck_id), zone, reviews.get(card_uid, []), appended)
        result.cards += 1
    raw.executemany(INSERT_REVIEW, appended)
    return result


def _all_settings(raw: sqlite3.Connection) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for scope, key, value in raw.execute("SELECT scope, key, value FROM setting"):
        found.setdefault(scope, {})[key] = json.loads(value)
    return found


def _apply_settings(raw: sqlite3.Connection) -> None:
    """Each setting takes its latest value over every device's changes (by time, then uid)."""
    latest: dict[tuple[str, str], tuple] = {}
    for uid, at, kind, data in raw.execute("SELECT uid, at, kind, data FROM event WHERE kind IN ('setting', 'unset') ORDER BY at, uid"):
        values = json.loads(data)
        latest[(values[0], values[1])] = (kind, values[2] if kind == "setting" else None)
    for (scope, key), (kind, value) in latest.items():
        if kind == "setting":
            raw.execute(
                "INSERT INTO setting (scope, key, value) VALUES (?, ?, ?) ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value",
                (scope, key, json.dumps(value)),
            )
        else:
            raw.execute("DELETE FROM setting WHERE scope = ? AND key = ?", (scope, key))


def _adopt_orphans(raw: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Reviews received earlier for cards that this collection has now (their deck was synced since)."""
    rows = raw.execute(
        "SELECT o.uid, o.card_uid, o.device, o.rating, o.at, o.duration_ms, o.data FROM sync_orphan o JOIN card c ON c.uid = o.card_uid"
    ).fetchall()
    adopted: dict[str, list[tuple]] = {}
    for uid, card_uid, device, rating, at, duration, data in rows:
        before, after = json.loads(data)
        adopted.setdefault(card_uid, []).append((uid, device, rating, at, duration, before, after))
    raw.executemany("DELETE FROM sync_orphan WHERE uid = ?", [(row[0],) for row in rows])
    return adopted


_encode = json.JSONEncoder().encode  # what memory_to_json uses: the same text for the same values


def _interval_before(state: list) -> float | None:
    """Days between last review and due, from a state as the log stores it (as ``record_answer`` computes it)."""
    if state[4] is None or state[5] is None:
        return None
    return (state[4] - state[5]) / 86_400_000_000


def rebuild_card(
    raw: sqlite3.Connection, card_id: int, card_uid: str, settings: scheduling.Settings, zone: tzinfo, new_reviews: list[tuple],
    appended: list[tuple] | None = None,
) -> int:
    """Rebuild one card's log and state from its reviews and events. Returns how many reviews were recomputed.

    Rows that only extend the card's log go to ``appended`` when given (the caller inserts them all at once).

    States are carried as the log's JSON lists; a review whose recorded ``before`` is the state reached so far keeps
    its recorded ``after`` text as it is, so only overlapping histories pay for the scheduler.
    """
    old = raw.execute(
        "SELECT id, uid, device, rating, reviewed_at, duration_ms, before, after FROM review WHERE card_id = ? ORDER BY id", (card_id,)
    ).fetchall()
    events = raw.execute("SELECT uid, at, kind, data FROM event WHERE card_uid = ? AND kind IN ('bury', 'suspend', 'unsuspend', 'undo')", (card_uid,)).fetchall()
    undone = {data for _uid, _at, kind, data in events if kind == "undo"}
    timeline = [(row[4], row[1], 0, row[2], row[3], row[5], row[6], row[7]) for row in old if row[1] not in undone]
    have = {row[1] for row in old}
    timeline += [(r[3], r[0], 0, r[1], r[2], r[4], r[5], r[6]) for r in new_reviews if r[0] not in undone and r[0] not in have]
    timeline += [(at, uid, 1, kind, data, None, None, None) for uid, at, kind, data in events if kind != "undo"]
    timeline.sort(key=lambda item: (item[0], item[1]))

    current = NEW_JSON
    state = json.loads(current)
    rows, recomputed = [], 0
    for at, uid, is_event, a, b, c, before_json, after_json in timeline:
        if is_event:
            state = _flag_change(state, a, b)
            current = _encode(state)
            continue
        device, rating, duration = a, b, c
        before = state
        if before_json == current:
            state = json.loads(after_json)
            reviewed_at = at
        else:
            after_json, reviewed_at = _recompute(current, rating, at, card_uid, settings, zone)
            state = json.loads(after_json)
            recomputed += 1
        rows.append((card_id, rating, reviewed_at, duration, before[0], _interval_before(before), current, after_json, uid, device))
        current = after_json
    _write_log(raw, card_id, old, rows, appended)
    memory, flags = memory_from_json(current)
    raw.execute(
        "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=?, "
        "suspended=?, leech=?, buried_until=? WHERE id=?",
        (int(memory.state), memory.step, memory.stability, memory.difficulty, to_us(memory.due), to_us(memory.last_review),
         memory.reps, memory.lapses, flags.suspended, flags.leech, to_us(flags.buried_until), card_id),
    )
    return recomputed


def _recompute(current: str, rating: int, at: int, card_uid: str, settings: scheduling.Settings, zone: tzinfo) -> tuple[str, int]:
    """A review answered again from the state reached so far, as ``review.answer`` would: (after JSON, time)."""
    memory, flags = memory_from_json(current)
    moment = scheduling.review_time(memory, from_us(at))
    after = scheduling.review(memory, Rating(rating), moment, scheduling.card_seed(card_uid), settings, zone)
    leech = scheduling.becomes_leech(memory, after, settings.leech_threshold)
    after_flags = Flags(suspended=flags.suspended or leech, leech=flags.leech or leech, buried_until=None)
    return memory_to_json(after, after_flags), to_us(moment)


def _flag_change(state: list, kind: str, data: str) -> list:
    """A state list with a bury, suspend or unsuspend applied (positions 8-10: suspended, leech, buried until)."""
    changed = list(state)
    if kind == "suspend":
        changed[8] = True
    elif kind == "unsuspend":
        changed[8] = False
    else:
        changed[10] = int(data)
    return changed


INSERT_REVIEW = (
    "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid, device) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _write_log(raw: sqlite3.Connection, card_id: int, old: list[tuple], rows: list[tuple], appended: list[tuple] | None) -> None:
    """Replace the card's log rows with ``rows`` (in time order), keeping the rows that did not change.

    Review ids are never reused (AUTOINCREMENT), so new rows get ids above every id already sent.
    """
    keep = 0
    while keep < len(old) and keep < len(rows) and old[keep][1] == rows[keep][8] and old[keep][6] == rows[keep][6] and old[keep][7] == rows[keep][7]:
        keep += 1
    stale = old[keep:]
    if not stale and appended is not None:
        appended.extend(rows[keep:])
        return
    stale_uids = {row[1] for row in stale}
    # In time order; a row whose old copy still holds its uid gets the uid once the old copy is deleted below.
    raw.executemany(INSERT_REVIEW, [(*row[:8], None if row[8] in stale_uids else row[8], row[9]) for row in rows[keep:]])
    waiting = [row[8] for row in rows[keep:] if row[8] in stale_uids]
    new_ids = [r[0] for r in raw.execute("SELECT id FROM review WHERE card_id = ? AND uid IS NULL ORDER BY id", (card_id,))]
    ids = dict(zip(waiting, new_ids))
    for row in stale:
        raw.execute("DELETE FROM review WHERE id = ?", (row[0],))
        if row[1] in ids:
            raw.execute("UPDATE quiz_item SET review_id = ? WHERE review_id = ?", (ids[row[1]], row[0]))
    raw.executemany("UPDATE review SET uid = ? WHERE id = ?", [(uid, review_id) for uid, review_id in ids.items()])


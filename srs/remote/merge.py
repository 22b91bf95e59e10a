"""Applying events received from other devices to the local collection (plain sqlite3, no SQLAlchemy).

A card's history is the union of every device's events. It is rebuilt in time order (ties by uid): each review
keeps the result its device computed when that device saw the same state before it (the usual case: one
device at a time), and is recomputed through ``scheduling.review`` otherwise (two devices reviewed the card
offline). Either way every device that holds the same events ends with the same log and the same state.
"""

from __future__ import annotations

import json
import json.scanner
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import groupby
from operator import itemgetter

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


def _chained(rows: list[tuple]) -> bool:
    """Whether these rows are all reviews, each starting from the state the one before left (a new card's, first)."""
    current = NEW_JSON
    for row in rows:
        if row[3] != "review" or row[8] != current:
            return False
        current = row[9]
    return True


CHUNK = 50_000  # rows merged at a time (whole cards): memory stays flat, the per-card queries go 900 cards at a time


def merge_stream(raw: sqlite3.Connection, rows: Iterable[tuple], zone: tzinfo) -> MergeResult:
    """Merge pulled rows (settings first, then card by card, each card's in time order), a few thousand cards at a
    time, inside the caller's write transaction.

    Most cards of a first sync are new here: no log, no events, and their reviews chain. Such a card's rebuilt log
    is its reviews in time order, as received, so they are written as they are (``rebuild_card`` would keep every
    one); every other card, and every setting, goes through ``apply``.
    """
    total = MergeResult()
    adoptable = {row[0] for row in raw.execute("SELECT DISTINCT o.card_uid FROM sync_orphan o JOIN card c ON c.uid = o.card_uid")}
    batch: list[tuple[str | None, list[tuple]]] = []
    size = 0
    first = True
    for card_uid, card_rows in groupby(rows, key=itemgetter(4)):
        card_rows = list(card_rows)
        batch.append((card_uid, card_rows))
        size += len(card_rows)
        if size >= CHUNK:
            _merge_cards(raw, batch, adoptable if first else set(), zone, total)
            batch, size, first = [], 0, False
    if batch or first:
        _merge_cards(raw, batch, adoptable if first else set(), zone, total)
    return total


def _merge_cards(
    raw: sqlite3.Connection, batch: list[tuple[str | None, list[tuple]]], adoptable: set[str], zone: tzinfo, total: MergeResult
) -> None:
    cards = _card_ids(raw, [card_uid for card_uid, _rows in batch if card_uid is not None])
    candidates = [
        card_uid for card_uid, rows in batch
        if card_uid in cards and card_uid not in adoptable and _chained(rows)
    ]
    busy = _with_log(raw, [cards[card_uid][0] for card_uid in candidates]) | _with_events(raw, candidates)
    fresh = {card_uid for card_uid in candidates if cards[card_uid][0] not in busy and card_uid not in busy}
    general: list[tuple] = []
    written: list[tuple] = []
    updates: list[tuple] = []
    for card_uid, rows in batch:
        if card_uid in fresh:
            card_id = cards[card_uid][0]
            written += [(card_id, row[6], row[5], row[7], row[8], row[9], row[1], row[2]) for row in rows]
            updates.append(_card_update(rows[-1][9], card_id))
        else:
            general += rows
    raw.executemany(INSERT_REVIEW, written)
    raw.executemany(UPDATE_CARD, updates)
    total.received += len(written)
    total.cards += len(updates)
    if general or adoptable:
        done = apply(raw, sort_out(general), zone)
        total.received += done.received
        total.cards += done.cards
        total.recomputed += done.recomputed
        total.waiting_for_cards += done.waiting_for_cards


def _with_log(raw: sqlite3.Connection, card_ids: list[int]) -> set[int]:
    """The cards, of ``card_ids``, that have a review."""
    found: set[int] = set()
    for start in range(0, len(card_ids), 900):
        chunk = card_ids[start : start + 900]
        found.update(row[0] for row in raw.execute(f"SELECT DISTINCT card_id FROM review WHERE card_id IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _with_events(raw: sqlite3.Connection, card_uids: list[str]) -> set[str]:
    """The cards, of ``card_uids``, that have an event."""
    found: set[str] = set()
    for start in range(0, len(card_uids), 900):
        chunk = card_uids[start : start + 900]
        found.update(row[0] for row in raw.execute(f"SELECT DISTINCT card_uid FROM event WHERE card_uid IN ({','.join('?' * len(chunk))})", chunk))
    return found


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
    cards = _card_ids(raw, sorted(set(reviews) | {e[4] for e in fresh_events if e[4] is not None}))
    # A review this collection has is in its card's log: one query per 900 cards, not one per review or card.
    logs = _logs(raw, [card_id for card_id, _deck in cards.values()])
    known = {row[1] for log in logs.values() for row in log}
    reviews = {cu: [r for r in rows if r[0] not in known] for cu, rows in reviews.items()}
    reviews = {cu: rows for cu, rows in reviews.items() if rows}
    result.received += sum(len(rows) for rows in reviews.values())

    touched = set(reviews) | {e[4] for e in fresh_events if e[4] is not None}
    missing = [(r[0], cu, r[1], r[3], "review", r[2], r[4], json.dumps([r[5], r[6]])) for cu, rows in reviews.items() if cu not in cards for r in rows]
    raw.executemany(
        "INSERT OR IGNORE INTO sync_orphan (uid, card_uid, device, at, kind, rating, duration_ms, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", missing
    )
    result.waiting_for_cards = len(missing)
    touched_cards = sorted(cu for cu in touched if cu in cards)
    events = _card_events(raw, touched_cards)
    book = SettingsBook(_all_settings(raw), dict(raw.execute("SELECT id, name FROM deck").fetchall()))
    appended: list[tuple] = []
    updates: list[tuple] = []
    for card_uid in touched_cards:
        card_id, deck_id = cards[card_uid]
        result.recomputed += rebuild_card(
            raw, card_id, card_uid, book.for_deck_id(deck_id), zone, reviews.get(card_uid, []), appended,
            old=logs.get(card_id, []), events=events.get(card_uid, []), updates=updates,
        )
        result.cards += 1
    raw.executemany(INSERT_REVIEW, appended)
    raw.executemany(UPDATE_CARD, updates)
    return result


def _logs(raw: sqlite3.Connection, card_ids: list[int]) -> dict[int, list[tuple]]:
    """card id -> its log rows (id, uid, device, rating, reviewed_at, duration_ms, before, after) in id order."""
    found: dict[int, list[tuple]] = {}
    for start in range(0, len(card_ids), 900):
        chunk = card_ids[start : start + 900]
        for row in raw.execute(
            "SELECT card_id, id, uid, device, rating, reviewed_at, duration_ms, before, after FROM review "
            f"WHERE card_id IN ({','.join('?' * len(chunk))}) ORDER BY card_id, id", chunk,
        ):
            found.setdefault(row[0], []).append(row[1:])
    return found


def _card_events(raw: sqlite3.Connection, card_uids: list[str]) -> dict[str, list[tuple]]:
    """card uid -> its bury, suspend, unsuspend and undo events (uid, at, kind, data)."""
    found: dict[str, list[tuple]] = {}
    for start in range(0, len(card_uids), 900):
        chunk = card_uids[start : start + 900]
        for row in raw.execute(
            "SELECT card_uid, uid, at, kind, data FROM event "
            f"WHERE card_uid IN ({','.join('?' * len(chunk))}) AND kind IN ('bury', 'suspend', 'unsuspend', 'undo')", chunk,
        ):
            found.setdefault(row[0], []).append(row[1:])
    return found


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
_scan = json.scanner.make_scanner(json.JSONDecoder())  # json.loads without its per-call wrapper (a million states in a first sync)


def _parse(text: str) -> list:
    """A state as the log stores it (a JSON list), parsed."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)  # raises the usual error
    return value if end == len(text) else json.loads(text)


def rebuild_card(
    raw: sqlite3.Connection, card_id: int, card_uid: str, settings: scheduling.Settings, zone: tzinfo, new_reviews: list[tuple],
    appended: list[tuple] | None = None, *, old: list[tuple] | None = None, events: list[tuple] | None = None,
    updates: list[tuple] | None = None,
) -> int:
    """Rebuild one card's log and state from its reviews and events. Returns how many reviews were recomputed.

    ``old`` (the card's log rows) and ``events`` (its card events) are read here unless the caller read them for many
    cards at once. Rows that only extend the card's log go to ``appended`` and the card's new state to ``updates``
    when given (the caller writes them all at once).

    States are carried as the log's JSON text; a review whose recorded ``before`` is the state reached so far keeps
    its recorded ``after`` text as it is, so only overlapping histories pay for the scheduler, and only rows written
    are parsed.
    """
    if old is None:
        old = raw.execute(
            "SELECT id, uid, device, rating, reviewed_at, duration_ms, before, after FROM review WHERE card_id = ? ORDER BY id", (card_id,)
        ).fetchall()
    if events is None:
        events = raw.execute(
            "SELECT uid, at, kind, data FROM event WHERE card_uid = ? AND kind IN ('bury', 'suspend', 'unsuspend', 'undo')", (card_uid,)
        ).fetchall()
    undone = {data for _uid, _at, kind, data in events if kind == "undo"}
    timeline = [(row[4], row[1], 0, row[2], row[3], row[5], row[6], row[7]) for row in old if row[1] not in undone]
    have = {row[1] for row in old}
    timeline += [(r[3], r[0], 0, r[1], r[2], r[4], r[5], r[6]) for r in new_reviews if r[0] not in undone and r[0] not in have]
    timeline += [(at, uid, 1, kind, data, None, None, None) for uid, at, kind, data in events if kind != "undo"]
    timeline.sort(key=lambda item: (item[0], item[1]))

    current = NEW_JSON
    rows, recomputed = [], 0
    for at, uid, is_event, a, b, c, before_json, after_json in timeline:
        if is_event:
            current = _encode(_flag_change(_parse(current), a, b))
            continue
        device, rating, duration = a, b, c
        if before_json != current:
            after_json, at = _recompute(current, rating, at, card_uid, settings, zone)
            recomputed += 1
        rows.append((card_id, rating, at, duration, current, after_json, uid, device))
        current = after_json
    _write_log(raw, card_id, old, rows, appended)
    update = _card_update(current, card_id)
    if updates is None:
        raw.execute(UPDATE_CARD, update)
    else:
        updates.append(update)
    return recomputed


def _card_update(state_json: str, card_id: int) -> tuple:
    """``UPDATE_CARD``'s parameters: the card takes the state its log ends in."""
    state = _parse(state_json)
    return (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7], bool(state[8]), bool(state[9]), state[10], card_id)


UPDATE_CARD = (
    "UPDATE card SET state=?, step=?, stability=?, fsrs_difficulty=?, due=?, last_review=?, reps=?, lapses=?, "
    "suspended=?, leech=?, buried_until=? WHERE id=?"
)


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


# state_before and interval_before come out of `before` in SQLite's JSON code rather than a Python parse per row
# (the same numbers: `record_answer` divides the same integers by the same constant).
INSERT_REVIEW = (
    "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid, device) "
    "VALUES (?1, ?2, ?3, ?4, json_extract(?5, '$[0]'), (json_extract(?5, '$[4]') - json_extract(?5, '$[5]')) / 86400000000.0, ?5, ?6, ?7, ?8)"
)


def _write_log(raw: sqlite3.Connection, card_id: int, old: list[tuple], rows: list[tuple], appended: list[tuple] | None) -> None:
    """Replace the card's log rows with ``rows`` (in time order), keeping the rows that did not change.

    Review ids are never reused (AUTOINCREMENT), so new rows get ids above every id already sent.
    """
    keep = 0
    while keep < len(old) and keep < len(rows) and old[keep][1] == rows[keep][6] and old[keep][6] == rows[keep][4] and old[keep][7] == rows[keep][5]:
        keep += 1
    stale = old[keep:]
    written = rows[keep:]
    if not stale and appended is not None:
        appended.extend(written)
        return
    stale_uids = {row[1] for row in stale}
    # In time order; a row whose old copy still holds its uid gets the uid once the old copy is deleted below.
    raw.executemany(INSERT_REVIEW, [(*row[:6], None if row[6] in stale_uids else row[6], row[7]) for row in written])
    waiting = [row[6] for row in written if row[6] in stale_uids]
    new_ids = [r[0] for r in raw.execute("SELECT id FROM review WHERE card_id = ? AND uid IS NULL ORDER BY id", (card_id,))]
    ids = dict(zip(waiting, new_ids))
    for row in stale:
        raw.execute("DELETE FROM review WHERE id = ?", (row[0],))
        if row[1] in ids:
            raw.execute("UPDATE quiz_item SET review_id = ? WHERE review_id = ?", (ids[row[1]], row[0]))
    raw.executemany("UPDATE review SET uid = ? WHERE id = ?", [(uid, review_id) for uid, review_id in ids.items()])

"""SQL for what `srs remote` keeps locally: review and event ids, events, this device's sync bookkeeping.

Functions take the ``sqlite3.Connection`` that ``Store.read()`` / ``Store.write()`` yield.

A row whose ``device`` is NULL was made on this device and not yet sent; sending sets ``device`` to this
device's id. ``sync_state`` holds ``pushed_review`` / ``pushed_event``: every row at or below them has been
sent, so what waits to be sent is found by a range scan of the primary key.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractContextManager

from srs.storage.deferred import schema_objects_deferred

KINDS = ("bury", "suspend", "unsuspend", "setting", "unset", "undo")


def new_uid(at_us: int) -> str:
    """A globally unique id that sorts by time: 13 hex digits of microseconds, then 64 random bits."""
    return f"{at_us:013x}{os.urandom(8).hex()}"


def add_event(raw: sqlite3.Connection, kind: str, card_uid: str | None, data: str, at_us: int) -> None:
    """Record one change made on this device (in the caller's transaction)."""
    raw.execute(
        "INSERT INTO event (uid, device, at, kind, card_uid, data) VALUES (?, NULL, ?, ?, ?, ?)",
        (new_uid(at_us), at_us, kind, card_uid, data),
    )


def add_card_events(raw: sqlite3.Connection, kind: str, card_ids: list[int], data: str, at_us: int) -> None:
    """The same event for several cards, by internal id."""
    for card_id in card_ids:
        row = raw.execute("SELECT uid FROM card WHERE id = ?", (card_id,)).fetchone()
        if row is not None:
            add_event(raw, kind, row[0], data, at_us)


def add_setting_event(raw: sqlite3.Connection, scope: str, key: str, value: object | None, at_us: int) -> None:
    """A setting set (``value``) or unset (None) on this device."""
    import json  # here, not at start-up (cold start, issue #15)

    if value is None:
        add_event(raw, "unset", None, json.dumps([scope, key]), at_us)
    else:
        add_event(raw, "setting", None, json.dumps([scope, key, value]), at_us)


def get_state(raw: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    """One value of this device's sync bookkeeping."""
    row = raw.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def put_state(raw: sqlite3.Connection, key: str, value: str) -> None:
    """Set one value of the sync bookkeeping."""
    raw.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def delete_state(raw: sqlite3.Connection, keys: tuple[str, ...]) -> None:
    """Forget bookkeeping values (the remote was removed)."""
    raw.executemany("DELETE FROM sync_state WHERE key = ?", [(k,) for k in keys])


def all_state(raw: sqlite3.Connection) -> dict[str, str]:
    """Every bookkeeping value."""
    return dict(raw.execute("SELECT key, value FROM sync_state").fetchall())


def review_was_sent(raw: sqlite3.Connection, review_id: int) -> str | None:
    """The review's uid if it has left this device (sent, or received from another), else None."""
    row = raw.execute("SELECT uid, device FROM review WHERE id = ?", (review_id,)).fetchone()
    return row[0] if row and row[1] is not None else None


def waiting_count(raw: sqlite3.Connection) -> int:
    """Reviews and events made here and not yet sent."""
    state = all_state(raw)
    reviews = raw.execute(
        "SELECT count(*) FROM review WHERE id > ? AND device IS NULL", (int(state.get("pushed_review", 0)),)
    ).fetchone()[0]
    events = raw.execute(
        "SELECT count(*) FROM event WHERE id > ? AND device IS NULL", (int(state.get("pushed_event", 0)),)
    ).fetchone()[0]
    return reviews + events


def review_count(raw: sqlite3.Connection) -> int:
    """How many reviews the collection holds, or a bound on it: the largest id (ids only grow), without a scan."""
    return raw.execute("SELECT max(id) FROM review").fetchone()[0] or 0


# Filled in no one order by a card-by-card merge (time first, random uid). ix_review_card stays: the merge reads
# each card's log by it.
DEFERRABLE_REVIEW_INDEXES = ("ix_review_stats", "ix_review_uid")


def review_indexes_deferred(raw: sqlite3.Connection, defer: bool = True) -> AbstractContextManager[None]:
    """Inside the caller's write transaction: drop the review indexes that a bulk insert fills slowly, and build them
    again (from their own DDL) on leaving; a duplicate uid fails the rebuild of the unique index, and with it the
    transaction (see ``deferred.schema_objects_deferred``)."""
    return schema_objects_deferred(raw, "index", DEFERRABLE_REVIEW_INDEXES, defer)

"""``srs remote add`` / ``sync``: send this device's events, receive the others', merge.

Order of one sync, each step safe to interrupt:
1. read what waits to be sent (reviews and events made here, not yet sent);
2. push it to the store in one transaction (events already there are skipped);
3. mark it sent locally (its rows get this device's id);
4. pull the other devices' events, card by card, and merge them with the resume point in one local
   transaction.
A failure anywhere leaves every local answer in place and every unsent event waiting; running the sync
again resumes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy.exc import SQLAlchemyError

from srs.clock import local_zone, utc_now
from srs.errors import SrsError
from srs.gcpause import gc_paused
from srs.remote import merge
from srs.remote.status import RemoteStatus, remote_status
from srs.remote.store import Pulled, RemoteError, RemoteStore, describe, failure_text, wrap_failure
from srs.storage import Store, event_store
from srs.storage.timecodec import to_us

DEFAULT_COLLECTION = "default"


@dataclass
class SyncResult:
    sent: int = 0
    received: int = 0
    cards: int = 0
    recomputed: int = 0
    waiting_for_cards: int = 0


def status(store: Store) -> RemoteStatus:
    """See ``srs.remote.status.remote_status``."""
    return remote_status(store)


def add(store: Store, url: str, collection: str = DEFAULT_COLLECTION, remote: RemoteStore | None = None) -> str:
    """Name the shared store (creating its tables if they are missing and we may) and this learner's collection in it."""
    own = remote is None
    remote = remote or RemoteStore(url)
    try:
        if not remote.has_schema():
            remote.create_schema()
        collection_id = remote.collection(collection)
    except SQLAlchemyError as exc:
        raise RemoteError(f"cannot use the remote store {describe(url)}: {failure_text(exc)}") from None
    finally:
        if own:
            remote.close()
    with store.write() as raw:
        state = event_store.all_state(raw)
        if state.get("collection_id") != collection_id or state.get("url") != url:
            # A different store: everything made here is sent to it again, and its events are read from the start.
            device = state["device"]
            raw.execute("UPDATE review SET device = NULL WHERE device = ?", (device,))
            raw.execute("UPDATE event SET device = NULL WHERE device = ?", (device,))
            event_store.delete_state(raw, ("pushed_review", "pushed_event", "pulled_seq", "last_sync"))
        event_store.put_state(raw, "url", url)
        event_store.put_state(raw, "collection_name", collection)
        event_store.put_state(raw, "collection_id", collection_id)
    return collection_id


def remove(store: Store) -> bool:
    """Forget the remote (the store itself is untouched). Returns whether one was set."""
    with store.write() as raw:
        had = event_store.get_state(raw, "url") is not None
        event_store.delete_state(raw, ("url", "collection_name", "collection_id"))
    return had


def sync(store: Store, remote: RemoteStore | None = None, zone: tzinfo | None = None) -> SyncResult:
    """One full exchange with the remote; raises ``RemoteError`` (nothing lost) if the store fails."""
    zone = zone or local_zone()
    with store.read() as raw:
        state = event_store.all_state(raw)
    if "collection_id" not in state:
        raise SrsError("no remote is set; add one with: srs remote add URL")
    own = remote is None
    remote = remote or RemoteStore(state["url"])
    try:
        result = SyncResult()
        with gc_paused():  # a first sync makes millions of small tuples, none in a cycle
            result.sent = _push(store, remote, state["collection_id"], state["device"])
            _pull(store, remote, state["collection_id"], state["device"], zone, result)
    except SQLAlchemyError as exc:
        raise wrap_failure(exc) from None
    finally:
        if own:
            remote.close()
    with store.write() as raw:
        event_store.put_state(raw, "last_sync", str(to_us(utc_now())))
    return result


REVIEW_OUTBOX = (
    "SELECT r.id, r.uid, c.uid, r.reviewed_at, r.rating, r.duration_ms, r.before, r.after FROM review r JOIN card c ON c.id = r.card_id "
    "WHERE r.id > ? AND r.device IS NULL ORDER BY r.id"
)


def _push(store: Store, remote: RemoteStore, collection_id: str, device: str) -> int:
    with store.read() as raw:
        pushed_review = int(event_store.get_state(raw, "pushed_review", "0"))
        pushed_event = int(event_store.get_state(raw, "pushed_event", "0"))
        reviews = raw.execute(REVIEW_OUTBOX, (pushed_review,)).fetchall()
        events = raw.execute(
            "SELECT id, uid, at, kind, card_uid, data FROM event WHERE id > ? AND device IS NULL ORDER BY id", (pushed_event,)
        ).fetchall()
    # in store.EVENT_COLUMNS order: uid, device, kind, card_uid, at, rating, duration_ms, before, after, data
    rows = [(uid, device, "review", card_uid, at, rating, duration, before, after, "") for _id, uid, card_uid, at, rating, duration, before, after in reviews]
    rows += [(uid, device, kind, card_uid, at, None, None, None, None, data) for _id, uid, at, kind, card_uid, data in events]
    if not rows:
        return 0
    remote.push(collection_id, rows)
    with store.write() as raw:
        _mark_sent(raw, "review", "pushed_review", pushed_review, device, [(r[1], r[0]) for r in reviews])
        _mark_sent(raw, "event", "pushed_event", pushed_event, device, [(e[1], e[0]) for e in events])
    return len(rows)


def _mark_sent(raw: sqlite3.Connection, table: str, mark_key: str, mark: int, device: str, sent: list[tuple[str, int]]) -> None:
    """Give the sent rows this device's id and move the mark up to the highest id below which all is sent."""
    if not sent:
        return
    top_uid, top = sent[-1]  # read in id order
    if raw.execute(f"SELECT uid FROM {table} WHERE id = ?", (top,)).fetchone() == (top_uid,):
        # The newest sent row is still there and review and event ids are never reused (AUTOINCREMENT), so every
        # unsent row in the range is one that was sent.
        raw.execute(f"UPDATE {table} SET device = ? WHERE id > ? AND id <= ? AND device IS NULL", (device, mark, top))
    else:
        raw.executemany(f"UPDATE {table} SET device = ? WHERE uid = ? AND device IS NULL", [(device, uid) for uid, _id in sent])
    # A row at or below `top` still unsent holds the mark below it.
    unsent = raw.execute(f"SELECT min(id) FROM {table} WHERE id > ? AND id <= ? AND device IS NULL", (mark, top)).fetchone()[0]
    event_store.put_state(raw, mark_key, str(top if unsent is None else unsent - 1))


def _pull(store: Store, remote: RemoteStore, collection_id: str, device: str, zone: tzinfo, result: SyncResult) -> None:
    """Receive everything new and merge it, with the resume point, in one local transaction.

    The store sends each card's events together, so the merge sees each card once however devices interleaved
    their reviews. An interrupted receive leaves the collection as it was; the next sync receives it again.
    """
    with store.read() as raw:
        after = int(event_store.get_state(raw, "pulled_seq", "0"))
    with remote.pull(collection_id, after, device) as pulled, store.write() as raw:
        if pulled.count or raw.execute("SELECT 1 FROM sync_orphan o JOIN card c ON c.uid = o.card_uid LIMIT 1").fetchone():
            _merge(raw, pulled, zone, result)
        if pulled.head != after:
            event_store.put_state(raw, "pulled_seq", str(pulled.head))
        result.waiting_for_cards = raw.execute("SELECT count(*) FROM sync_orphan").fetchone()[0]


def _merge(raw: sqlite3.Connection, pulled: Pulled, zone: tzinfo, result: SyncResult) -> None:
    # A first sync inserts the whole history into four indexes in no one order: with SQLite's 2 MB default page
    # cache that is a disk read per row; 256 MB keeps the indexes' pages at hand.
    raw.execute("PRAGMA cache_size = -262144")
    try:
        # Many more events coming than the collection has reviews: the two indexes that a card-by-card insert fills
        # in no order are built once at the end (in this transaction, so a crash leaves them as they were).
        bulk = pulled.count >= BULK_REVIEWS and pulled.count > event_store.review_count(raw)
        with event_store.review_indexes_deferred(raw, bulk):
            done = merge.merge_stream(raw, pulled.rows, zone)
        result.received += done.received
        result.cards += done.cards
        result.recomputed += done.recomputed
    finally:
        raw.execute("PRAGMA cache_size = -2000")


BULK_REVIEWS = 100_000

"""`srs remote sync` at scale: the bulk paths (COPY or one executemany for a large push, the pulled events merged a
few cards at a time, cards new to a device written as received, review indexes rebuilt after a large receive) end
exactly where the row paths (and a rebuild of every card) end."""

from __future__ import annotations

import sqlite3

import pytest

from srs.model import Rating
from srs.remote import merge
from srs.remote import sync as remote
from srs.remote.store import RemoteStore
from srs.storage import event_store, open_store
from tests.test_remote import UTC, _collection_id, answer, dump, make_device, offline_work, remote_url  # noqa: F401


def _copy(store, target):
    """A copy of a collection (same device id, same answer uids), opened."""
    store.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(store.path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return open_store(target)


def _review_indexes(store) -> list[tuple]:
    with store.read() as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review' ORDER BY name").fetchall()


def _bulk_everywhere(monkeypatch) -> list[bool]:
    """Every push takes the bulk path, every receive defers the indexes and merges one card at a time."""
    monkeypatch.setattr("srs.remote.store.PUSH_BATCH", 1)
    monkeypatch.setattr("srs.remote.sync.BULK_REVIEWS", 1)
    monkeypatch.setattr(merge, "CHUNK", 1)
    deferred: list[bool] = []
    real = event_store.review_indexes_deferred

    def spy(raw, defer=True):
        deferred.append(defer)
        return real(raw, defer)

    monkeypatch.setattr(event_store, "review_indexes_deferred", spy)
    return deferred


def test_bulk_paths_end_where_the_row_paths_end(tmp_path, remote_url, monkeypatch) -> None:
    (tmp_path / "shared").mkdir(exist_ok=True)
    a = make_device(tmp_path, "a", None)
    b = make_device(tmp_path, "b", None, reverse=True)
    offline_work(a, b)
    for minutes in range(30):  # enough history that chunks and the deferred indexes have work
        answer(a, f"a{minutes % 6}", Rating(minutes % 4 + 1), 60 * 24 * 5 + minutes * 60 * 24)
        answer(b, f"b{minutes % 6}", Rating((minutes + 1) % 4 + 1), 60 * 24 * 5 + minutes * 60 * 24 + 30)
    dumps = {}
    fresh: list[int] = []
    real_merge_cards = merge._merge_cards

    def count_fresh(raw, batch, adoptable, zone, total):
        before = total.cards
        real_merge_cards(raw, batch, adoptable, zone, total)
        fresh.append(total.cards - before)

    for mode in ("rows", "bulk", "rebuild"):
        pa = _copy(a, tmp_path / mode / "a.db")
        pb = _copy(b, tmp_path / mode / "b.db")
        a, b = open_store(tmp_path / "a" / "srs.db"), open_store(tmp_path / "b" / "srs.db")
        for store in (pa, pb):
            remote.add(store, remote_url, collection=mode)  # two collections of one store: one per mode
        if mode == "rows":
            monkeypatch.setattr(merge, "_merge_cards", count_fresh)
        if mode == "bulk":
            monkeypatch.setattr(merge, "_merge_cards", real_merge_cards)
            deferred = _bulk_everywhere(monkeypatch)
        if mode == "rebuild":  # no card counts as new here: every card goes through rebuild_card
            monkeypatch.setattr(merge, "_with_log", lambda raw, card_ids: set(card_ids))
        for store in (pa, pb, pa):
            remote.sync(store, zone=UTC)
        dumps[mode] = dump(pa), dump(pb), _review_indexes(pa), _review_indexes(pb)
        assert dumps[mode][0] == dumps[mode][1]
        pa.close()
        pb.close()
    assert True in deferred  # the bulk receive did take the deferred-index path
    assert sum(fresh) > 0  # cards new to a device were written as received
    assert dumps["bulk"] == dumps["rows"]
    assert dumps["rebuild"] == dumps["rows"]
    a.close()
    b.close()


def test_a_bulk_push_sent_again_skips_what_the_store_has(tmp_path, remote_url, monkeypatch) -> None:
    """A push that reached the store but whose answer was lost (the marks not saved) is sent again: each event is
    stored once (on PostgreSQL the direct COPY meets the duplicate and the push goes the ON CONFLICT way)."""
    monkeypatch.setattr("srs.remote.store.PUSH_BATCH", 1)
    a = make_device(tmp_path, "a", remote_url)
    for minutes in range(4):
        answer(a, f"a{minutes}", Rating.GOOD, minutes)
    before_push = _copy(a, tmp_path / "a-before-push.db")
    before_push.close()
    a = open_store(tmp_path / "a" / "srs.db")
    assert remote.sync(a, zone=UTC).sent == 4
    a.close()
    a = open_store(tmp_path / "a-before-push.db")  # the marks of that push never saved
    answer(a, "b0", Rating.EASY, 10)
    answer(a, "b1", Rating.HARD, 11)
    assert remote.sync(a, zone=UTC).sent == 6
    store = RemoteStore(remote_url)
    try:
        assert store.count_events(_collection_id(a)) == 6
    finally:
        store.close()
    b = make_device(tmp_path, "b", remote_url, reverse=True)
    assert remote.sync(b, zone=UTC).received == 6
    assert dump(b) == dump(a)
    a.close()
    b.close()


def test_deferred_review_indexes_come_back_or_the_transaction_fails(tmp_path) -> None:
    store = make_device(tmp_path, "a", None)
    answer(store, "a0", Rating.GOOD, 0)
    indexes = _review_indexes(store)
    assert {name for name, _sql in indexes} >= set(event_store.DEFERRABLE_REVIEW_INDEXES)
    with store.write() as raw, event_store.review_indexes_deferred(raw):
        dropped = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'review'")}
        assert not dropped & set(event_store.DEFERRABLE_REVIEW_INDEXES)
    assert _review_indexes(store) == indexes
    with pytest.raises(sqlite3.IntegrityError):
        with store.write() as raw, event_store.review_indexes_deferred(raw):
            raw.execute(  # a second row with the same uid: the unique index cannot be built again
                "INSERT INTO review (card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid) "
                "SELECT card_id, rating, reviewed_at, duration_ms, state_before, interval_before, before, after, uid FROM review"
            )
    assert _review_indexes(store) == indexes  # the whole transaction rolled back, indexes included
    assert len(dump(store)["logs"]["a0"]) == 1
    store.close()


def test_settings_received_with_reviews_apply_before_any_card_is_merged(tmp_path, remote_url, monkeypatch) -> None:
    """The store sends settings ahead of every card: a card merged one at a time (chunks of one row) and recomputed
    uses the settings that arrived with it, as the device that sent them does when it merges the other's reviews."""
    from srs import settings

    monkeypatch.setattr(merge, "CHUNK", 1)
    a = make_device(tmp_path, "a", remote_url)
    b = make_device(tmp_path, "b", remote_url, reverse=True)
    settings.set_value(a, "desired_retention", "0.7", deck="Alpha")
    for minutes, rating in ((0, Rating.GOOD), (60 * 24, Rating.GOOD), (60 * 24 * 4, Rating.HARD)):
        answer(a, "a0", rating, minutes)
        answer(b, "a0", rating, minutes + 30)  # the same card offline on both: b's answers are recomputed on a
    for device in (a, b, a):
        remote.sync(device, zone=UTC)
    assert dump(a) == dump(b)
    assert ("Alpha", "desired_retention", "0.7") in dump(b)["settings"]
    a.close()
    b.close()

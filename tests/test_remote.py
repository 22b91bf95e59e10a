"""`srs remote`: several devices share one collection through a PostgreSQL server or a SQLite file."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from srs import review, settings
from srs.decks.sync import sync_paths
from srs.doctor import examine
from srs.model import Rating
from srs.remote import sync as remote
from srs.remote.store import RemoteStore
from srs.storage import open_store
from tests.conftest import T0, simple_deck

UTC = timezone.utc


@pytest.fixture(params=["sqlite", "postgres"])
def remote_url(request, tmp_path):
    """The shared store: a SQLite file, or a database on a real PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "shared" / "store.db")
    admin, _url_for = request.getfixturevalue("postgres_db")
    return admin


def make_device(tmp_path, name: str, url: str, reverse: bool = False):
    """A collection with the same two deck files (synced in another order when ``reverse``: other internal ids)."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    files = []
    for deck, prefix in (("Alpha", "a"), ("Beta", "b")):
        path = tmp_path / f"{deck}.yaml"
        if not path.exists():
            path.write_text(simple_deck(6, deck=deck, prefix=prefix), encoding="utf-8")
        files.append(path)
    store = open_store(folder / "srs.db")
    for path in reversed(files) if reverse else files:
        sync_paths(store, [path], now=T0)
    if url is not None:
        (tmp_path / "shared").mkdir(exist_ok=True)
        remote.add(store, url)
    return store


def card(store, uid: str) -> int:
    return review.find_card(store, uid).id


def answer(store, uid: str, rating: Rating, minutes: float) -> None:
    review.answer(store, card(store, uid), rating, now=T0 + timedelta(minutes=minutes), zone=UTC)


def dump(store) -> dict:
    """Every card's state and log, by deck-file id, as stored (internal ids left out: they differ by device)."""
    with store.read() as conn:
        raw = conn
        cards = {
            row[0]: row[1:]
            for row in raw.execute(
                "SELECT uid, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses, suspended, leech, buried_until FROM card"
            )
        }
        logs: dict[str, list] = {}
        for row in raw.execute(
            "SELECT c.uid, r.uid, r.device, r.rating, r.reviewed_at, r.duration_ms, r.state_before, r.interval_before, r.before, r.after "
            "FROM review r JOIN card c ON c.id = r.card_id ORDER BY r.id"
        ):
            logs.setdefault(row[0], []).append(row[1:])
        setting_rows = sorted(raw.execute("SELECT scope, key, value FROM setting").fetchall())
    return {"cards": cards, "logs": logs, "settings": setting_rows}


def offline_work(a, b) -> None:
    """Both devices study offline, with conflicts on the same cards."""
    for minutes, rating in ((0, Rating.GOOD), (5, Rating.GOOD), (60 * 24 * 3, Rating.AGAIN)):
        answer(a, "a0", rating, minutes)
    for minutes, rating in ((2, Rating.HARD), (20, Rating.GOOD), (60 * 24 * 2, Rating.EASY)):
        answer(b, "a0", rating, minutes)
    answer(a, "a1", Rating.EASY, 1)
    answer(b, "b1", Rating.GOOD, 3)
    answer(b, "b2", Rating.AGAIN, 4)
    review.set_suspended(b, [card(b, "a2")], True)
    review.bury(a, [card(a, "b3")], now=T0 + timedelta(minutes=7), zone=UTC)
    settings.set_value(a, "new_per_day", "7")
    settings.set_value(b, "desired_retention", "0.85", deck="Beta")


@pytest.mark.parametrize("first", ["a", "b"])
def test_conflicting_offline_reviews_end_identical_on_both_devices(tmp_path, remote_url, first) -> None:
    a = make_device(tmp_path, "a", remote_url)
    b = make_device(tmp_path, "b", remote_url, reverse=True)
    assert card(a, "a0") != card(b, "a0")  # internal ids differ: the merge goes by deck-file id
    offline_work(a, b)
    order = [a, b, a] if first == "a" else [b, a, b]
    for device in order:
        remote.sync(device, zone=UTC)
    da, db = dump(a), dump(b)
    assert da == db
    assert len(da["logs"]["a0"]) == 6  # both devices' reviews of a0 are kept
    assert da["cards"]["a0"][6] == 6  # and its state counts all six: recomputed in time order
    assert da["cards"]["a2"][8] == 1  # suspended on b, suspended everywhere
    assert da["cards"]["b3"][10] is not None  # buried on a
    assert ("", "new_per_day", "7") in da["settings"] and ("Beta", "desired_retention", "0.85") in da["settings"]
    times = [row[3] for row in da["logs"]["a0"]]
    assert times == sorted(times)
    # the log chains: each answer starts from the state the previous one left
    log = da["logs"]["a0"]
    assert all(log[i][7] == log[i - 1][8] for i in range(1, len(log)))
    for store in (a, b):
        assert remote.status(store).waiting == 0
        assert examine(store, zone=UTC).findings == []  # logs chain, states match them, every answer replays
        store.close()


def test_a_second_sync_changes_nothing_and_sends_nothing(tmp_path, remote_url) -> None:
    a = make_device(tmp_path, "a", remote_url)
    b = make_device(tmp_path, "b", remote_url, reverse=True)
    offline_work(a, b)
    for device in (a, b, a):
        remote.sync(device, zone=UTC)
    before = dump(a), dump(b)
    again = remote.sync(a, zone=UTC), remote.sync(b, zone=UTC)
    assert [r.sent for r in again] == [0, 0] and [r.received for r in again] == [0, 0]
    assert (dump(a), dump(b)) == before


def test_undo_of_a_synced_answer_does_not_come_back(tmp_path, remote_url) -> None:
    a = make_device(tmp_path, "a", remote_url)
    b = make_device(tmp_path, "b", remote_url)
    answer(a, "a0", Rating.GOOD, 0)
    answer(a, "a0", Rating.GOOD, 10)
    remote.sync(a, zone=UTC)
    remote.sync(b, zone=UTC)
    assert len(dump(b)["logs"]["a0"]) == 2
    review.undo(a)
    assert remote.status(a).waiting == 1  # the undo is an event
    remote.sync(a, zone=UTC)
    remote.sync(b, zone=UTC)
    remote.sync(a, zone=UTC)
    assert len(dump(a)["logs"]["a0"]) == 1
    assert dump(a) == dump(b)


def test_undo_of_an_unsent_answer_sends_nothing(tmp_path, remote_url) -> None:
    a = make_device(tmp_path, "a", remote_url)
    answer(a, "a0", Rating.GOOD, 0)
    review.undo(a)
    assert remote.status(a).waiting == 0
    assert remote.sync(a, zone=UTC).sent == 0


def test_reviews_of_cards_this_device_lacks_wait_until_the_deck_arrives(tmp_path, remote_url) -> None:
    a = make_device(tmp_path, "a", remote_url)
    answer(a, "a0", Rating.GOOD, 0)
    remote.sync(a, zone=UTC)
    lone = open_store(tmp_path / "lone.db")
    remote.add(lone, remote_url)
    assert remote.sync(lone, zone=UTC).waiting_for_cards == 1
    sync_paths(lone, [tmp_path / "Alpha.yaml"], now=T0)
    result = remote.sync(lone, zone=UTC)
    assert result.waiting_for_cards == 0
    assert dump(lone)["logs"]["a0"] == dump(a)["logs"]["a0"]


def test_learners_have_separate_collections_in_one_store(tmp_path, remote_url) -> None:
    a = make_device(tmp_path, "a", None)
    other = make_device(tmp_path, "other", None)
    (tmp_path / "shared").mkdir(exist_ok=True)
    remote.add(a, remote_url, collection="ann")
    remote.add(other, remote_url, collection="otto")
    answer(a, "a0", Rating.GOOD, 0)
    remote.sync(a, zone=UTC)
    assert remote.sync(other, zone=UTC).received == 0
    assert dump(other)["logs"] == {}


def test_sending_marks_only_what_was_sent(tmp_path, remote_url) -> None:
    a = make_device(tmp_path, "a", remote_url)
    answer(a, "a0", Rating.GOOD, 0)
    answer(a, "a1", Rating.GOOD, 1)
    assert remote.status(a).waiting == 2
    assert remote.sync(a, zone=UTC).sent == 2
    assert remote.status(a).waiting == 0
    answer(a, "a2", Rating.GOOD, 2)
    assert remote.status(a).waiting == 1
    store = RemoteStore(remote_url)
    try:
        assert store.count_events(remote.status(a) and _collection_id(a)) == 2
    finally:
        store.close()


def _collection_id(store) -> str:
    with store.read() as conn:
        return conn.execute("SELECT value FROM sync_state WHERE key = 'collection_id'").fetchone()[0]


def test_postgres_row_level_security_keeps_learners_apart(tmp_path, postgres_db) -> None:
    import psycopg

    from srs.remote.store import add_learner

    admin, url_for = postgres_db
    setup = RemoteStore(admin)
    setup.create_schema()
    add_learner(setup.engine, "ann", None)
    add_learner(setup.engine, "bob", None)
    setup.close()
    a = make_device(tmp_path, "a", url_for("ann"))
    answer(a, "a0", Rating.GOOD, 0)
    answer(a, "a1", Rating.EASY, 1)
    assert remote.sync(a, zone=UTC).sent == 2
    b = make_device(tmp_path, "b", url_for("bob"))  # same collection name, but bob's own
    assert remote.sync(b, zone=UTC).received == 0
    with psycopg.connect(url_for("bob"), autocommit=True) as bob:
        assert bob.execute("SELECT count(*) FROM srs_event").fetchone()[0] == 0
        assert bob.execute("SELECT count(*) FROM srs_collection WHERE owner = 'ann'").fetchone()[0] == 0
        assert bob.execute("UPDATE srs_event SET rating = 1 WHERE owner = 'ann'").rowcount == 0
        ann_collection = _collection_id(a)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute(
                "INSERT INTO srs_event (collection_id, seq, uid, owner, device, kind, at, data) "
                "VALUES (%s, 99, 'x', 'ann', 'd', 'review', 0, '')", (ann_collection,)
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bob.execute("DELETE FROM srs_event")
    with psycopg.connect(url_for("ann"), autocommit=True) as ann:
        assert ann.execute("SELECT count(*) FROM srs_event").fetchone()[0] == 2


def test_doctor_accepts_answers_received_from_another_device(tmp_path) -> None:
    url = str(tmp_path / "shared" / "store.db")
    a = make_device(tmp_path, "a", url)
    b = make_device(tmp_path, "b", url, reverse=True)
    for day in (0, 20, 90, 300):  # long intervals: fuzzed, and the fuzz is seeded by a's internal card id
        answer(a, "a5", Rating.EASY, day * 24 * 60)
    remote.sync(a, zone=UTC)
    remote.sync(b, zone=UTC)
    assert dump(b)["logs"]["a5"] == dump(a)["logs"]["a5"]
    assert examine(b, zone=UTC).findings == []

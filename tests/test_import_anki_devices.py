"""Two devices import the same Anki package, then share their collection through ``srs remote``: each Anki answer
is one review on both, never two (an imported review's global id comes from the package, not from chance)."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from anki.collection import Collection

from srs import review
from srs.decks.sync import sync_paths
from srs.doctor import examine
from srs.importers.anki.importer import import_anki
from srs.importers.anki.notes import card_uid
from srs.model import Rating
from srs.remote import sync as remote
from srs.storage import open_store
from tests.anki_fixtures import col, utc_tz  # noqa: F401  (fixtures)
from tests.conftest import T0, simple_deck
from tests.test_import_anki import START, add_note, export, insert_revlog, revlog_rows

UTC = timezone.utc


@pytest.fixture(params=["sqlite", "postgres"])
def remote_url(request, tmp_path):
    """The shared store: a SQLite file, or a database on a real PostgreSQL server."""
    if request.param == "sqlite":
        (tmp_path / "shared").mkdir()
        return str(tmp_path / "shared" / "store.db")
    admin, _url_for = request.getfixturevalue("postgres_db")
    return admin


def _package(col: Collection, tmp_path):
    """A package of two notes with six and three answers in their review logs."""
    first, second = add_note(col, "q1", "a1"), add_note(col, "q2", "a2")
    insert_revlog(col, first.card_ids()[0], revlog_rows([(0, 1), (0, 3), (0, 3), (4, 3), (20, 1), (20, 3)], 3))
    insert_revlog(col, second.card_ids()[0], revlog_rows([(0, 3), (1, 3), (5, 4)], 7))
    return export(col, tmp_path / "shared.apkg"), [card_uid(first.guid, 0), card_uid(second.guid, 0)]


def _device(tmp_path, name: str, package, own_deck_first: bool):
    """A collection that imported ``package``; ``own_deck_first``: a deck of its own synced before, so its internal
    card ids differ from the other device's."""
    folder = tmp_path / name
    folder.mkdir()
    store = open_store(folder / "srs.db")
    if own_deck_first:
        deck = folder / "own.yaml"
        deck.write_text(simple_deck(3, deck="Own", prefix=name), encoding="utf-8")
        sync_paths(store, [deck], now=T0)
    import_anki(store, package, folder / "decks", zone=UTC)
    return store


def _reviews(store) -> list[tuple]:
    """(card uid, review uid, time, rating) of every review, in time order."""
    with store.read() as conn:
        return conn.execute(
            "SELECT c.uid, r.uid, r.reviewed_at, r.rating FROM review r JOIN card c ON c.id = r.card_id ORDER BY r.reviewed_at, c.uid"
        ).fetchall()


def test_the_same_package_imported_on_two_devices_gives_the_same_review_ids(col, tmp_path):
    package, _uids = _package(col, tmp_path)
    a, b = _device(tmp_path, "a", package, False), _device(tmp_path, "b", package, True)
    try:
        assert len(_reviews(a)) == 9
        assert _reviews(a) == _reviews(b)
    finally:
        a.close()
        b.close()


def _sync_all(devices, url: str | None = None) -> None:
    """Each device syncs (after ``remote add url``, if given), then the first again: everyone has everything."""
    for store in devices if url is not None else ():
        remote.add(store, url)
    for store in (*devices, devices[0]):
        remote.sync(store)


def test_devices_that_imported_the_same_package_share_each_answer_once(col, tmp_path, remote_url):
    package, uids = _package(col, tmp_path)
    a, b = _device(tmp_path, "a", package, False), _device(tmp_path, "b", package, True)
    try:
        _sync_all((a, b), remote_url)
        for store in (a, b):
            reviews = _reviews(store)
            assert len(reviews) == 9, reviews
            assert [uid for uid, *_ in reviews].count(uids[0]) == 6
            report = examine(store, zone=UTC)
            assert report.healthy, [f.message for f in report.findings]
    finally:
        a.close()
        b.close()


def _states(store) -> dict[str, tuple]:
    """Each imported card's scheduling state, by deck-file id."""
    with store.read() as conn:
        return {row[0]: row[1:] for row in conn.execute(
            "SELECT uid, state, step, stability, fsrs_difficulty, due, last_review, reps, lapses FROM card WHERE uid LIKE 'anki-%'"
        )}


def test_devices_that_imported_the_same_package_end_with_the_same_card_states(col, tmp_path):
    package, _uids = _package(col, tmp_path)
    (tmp_path / "shared").mkdir()
    url = str(tmp_path / "shared" / "store.db")
    a, b = _device(tmp_path, "a", package, False), _device(tmp_path, "b", package, True)
    try:
        _sync_all((a, b), url)
        assert _states(a) == _states(b)
        # a later export of the same collection, with more answers in Anki: both devices import it too
        first = col.get_note(col.find_notes("q1")[0])
        insert_revlog(col, first.card_ids()[0], revlog_rows([(60, 3), (90, 3)], 11))
        newer = export(col, tmp_path / "newer.apkg")
        for store, name in ((a, "a"), (b, "b")):
            import_anki(store, newer, tmp_path / name / "decks", zone=UTC)
        _sync_all((a, b))
        assert len(_reviews(a)) == 11
        assert _states(a) == _states(b) and _reviews(a) == _reviews(b)
    finally:
        a.close()
        b.close()


def test_a_log_of_imported_answers_and_answers_made_here_keeps_both_when_a_newer_package_joins(col, tmp_path):
    """Imported answers are seeded by the card's deck-file id, answers made here by its internal id: a later import
    that adds Anki answers replays each stored one with its own seed, so none of them changes."""
    package, uids = _package(col, tmp_path)
    store = _device(tmp_path, "a", package, True)
    try:
        card = review.find_card(store, uids[0])
        for days in (60, 150, 300, 500):  # in review, so these answers' intervals are fuzzed (with the internal id)
            review.answer(store, card.id, Rating.GOOD, now=START + timedelta(days=days), zone=UTC)
        with store.read() as conn:
            stored = conn.execute("SELECT id, uid, before, after FROM review ORDER BY id").fetchall()
        first = col.get_note(col.find_notes("q1")[0])
        insert_revlog(col, first.card_ids()[0], revlog_rows([(800, 3)], 13))
        result = import_anki(store, export(col, tmp_path / "newer.apkg"), tmp_path / "a" / "decks", zone=UTC)
        assert result.history.added == 1 and not result.history.rewritten
        with store.read() as conn:
            kept = conn.execute("SELECT id, uid, before, after FROM review WHERE id <= ? ORDER BY id", (stored[-1][0],)).fetchall()
        assert kept == stored
    finally:
        store.close()

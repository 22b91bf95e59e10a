"""Card text in ``card_text`` (migration 14): moved over with every card, kept with its card, watched by the triggers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from srs import doctor
from srs.decks import sync_paths
from srs.errors import SrsError
from srs.exporters.anki.export import export_anki
from srs.model import Scope
from srs.review import Session, find_card
from srs.storage import open_store, quiz_store
from srs.storage.migrations import MIGRATIONS, V14_CARD_TEXT
from tests.conftest import T0, run_cli, simple_deck

TEXT_STEP = next(i for i, step in enumerate(MIGRATIONS) if getattr(step, "statements", None) is V14_CARD_TEXT)  # wherever it is numbered


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _lose_text(path: Path, uid: str) -> None:
    """Delete a card's text row as another program would (the triggers still fire)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DELETE FROM card_text WHERE card_id = (SELECT id FROM card WHERE uid = ?)", (uid,))
    finally:
        conn.close()


def _collection_before_the_step(path: Path) -> None:
    """A collection one step before card_text: two cards with text, a review, a synced file and a stored note."""
    conn = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:TEXT_STEP]:
        step(conn)
    conn.execute(f"PRAGMA user_version = {TEXT_STEP}")
    conn.execute("INSERT INTO deck (id, name) VALUES (1, 'D')")
    conn.executemany(
        "INSERT INTO card (id, uid, deck_id, origin, line, position, front, back, extra, tags, sources, content_hash, state, due, "
        "created_at) VALUES (?, ?, 1, 'd.yaml', ?, ?, ?, ?, ?, ' t ', ?, 'h', ?, ?, 0)",
        [(4, "a", 1, 0, "Q [a]", "A\nline", "more", "s1\ns2", 2, 99), (9, "b", 5, 1, "Q b", "A b", "", "", 0, None)],
    )
    conn.execute("INSERT INTO review (card_id, rating, reviewed_at, state_before, before, after, uid) VALUES (4, 3, 5, 0, '[]', '[]', 'u')")
    conn.execute("INSERT INTO sync_file (path, digest, synced_at) VALUES ('d.yaml', 'abc', 0)")
    conn.execute("INSERT INTO export_note (card_id, guid, flds, tags, mod) VALUES (9, 'g', 'f', '', 0)")
    conn.close()


def test_the_migration_moves_every_card_text_and_keeps_everything_else(tmp_path) -> None:
    path = tmp_path / "old.db"
    _collection_before_the_step(path)
    open_store(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT card_id, front, back, extra, sources FROM card_text ORDER BY card_id").fetchall() == [
            (4, "Q [a]", "A\nline", "more", "s1\ns2"), (9, "Q b", "A b", "", ""),
        ]
        assert not {"front", "back", "extra", "sources"} & set(_columns(conn, "card"))
        assert conn.execute("SELECT id, uid, line, tags, state, due FROM card ORDER BY id").fetchall() == [
            (4, "a", 1, " t ", 2, 99), (9, "b", 5, " t ", 0, None),
        ]
        assert conn.execute("SELECT card_id, uid FROM review").fetchall() == [(4, "u")]
        assert conn.execute("SELECT digest FROM sync_file").fetchone() == ("abc",)  # moving the text is not an edit
        assert conn.execute("SELECT card_id FROM export_note").fetchall() == [(9,)]
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'ix_card_stats'").fetchall() == []
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_a_migrated_card_reads_as_before(tmp_path) -> None:
    path = tmp_path / "old.db"
    _collection_before_the_step(path)
    store = open_store(path)
    try:
        card = find_card(store, "a")
    finally:
        store.close()
    assert (card.front, card.back, card.extra, card.sources, card.tags) == ("Q [a]", "A\nline", "more", ("s1", "s2"), ("t",))


@pytest.mark.parametrize("foreign_keys", [True, False])
def test_a_deleted_card_takes_its_text_with_it(store, write_deck, foreign_keys) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(2))], now=T0)
    conn = sqlite3.connect(store.path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
        conn.execute("DELETE FROM card WHERE uid = 'c0'")
        assert conn.execute("SELECT count(*) FROM card_text").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM card_text t JOIN card c ON c.id = t.card_id WHERE c.uid = 'c1'").fetchone() == (1,)
    finally:
        conn.close()


def test_a_card_text_lost_outside_srs_comes_back_from_its_file(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    conn = sqlite3.connect(store.path, isolation_level=None)
    try:
        conn.execute("DELETE FROM card_text WHERE card_id = (SELECT id FROM card WHERE uid = 'c1')")
        assert conn.execute("SELECT digest FROM sync_file").fetchone() == ("",)  # the file is read again at the next sync
    finally:
        conn.close()
    sync_paths(store, [path], now=T0)
    assert find_card(store, "c1").back == "Answer 1"


def test_new_and_edited_cards_write_their_text(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    path.write_text(path.read_text().replace("Answer 1", "Answer one"))
    report = sync_paths(store, [path], now=T0)
    assert report.updated == ["c1"]
    assert (find_card(store, "c0").back, find_card(store, "c1").back) == ("Answer 0", "Answer one")


def test_a_card_whose_text_is_lost_is_skipped_named_and_restored(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    _lose_text(store.path, "c0")
    session = Session(store, now=T0)
    assert session.current(T0).uid == "c1"  # the session goes on past it
    [skipped] = session.take_skipped()
    assert (skipped.card.uid, skipped.card.front) == ("c0", "")
    assert "text is missing" in skipped.reason and "srs sync" in skipped.reason
    assert find_card(store, "c0").front == ""
    [finding] = doctor.examine(store).findings
    assert finding.card_uid == "c0" and f"srs sync {path}" in finding.message and finding.repair is None
    sync_paths(store, [path], now=T0)
    assert doctor.examine(store).findings == []
    assert find_card(store, "c0").front == "Question c0?"


def test_an_export_refuses_a_card_whose_text_is_lost(store, write_deck, tmp_path) -> None:
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    export_anki(store, tmp_path / "first.apkg", now=T0)  # its notes are kept, and must not stand in for the lost text
    _lose_text(store.path, "c1")
    with pytest.raises(SrsError, match=r"1 card to export has lost its text \(c1\); srs sync restores it"):
        export_anki(store, tmp_path / "out.apkg", now=T0)
    assert not (tmp_path / "out.apkg").exists()
    sync_paths(store, [path], now=T0)
    assert export_anki(store, tmp_path / "out.apkg", now=T0).notes == 2


def test_doctor_names_a_lost_text_without_offering_a_repair_it_cannot_make(tmp_path) -> None:
    db, deck = tmp_path / "s.db", tmp_path / "d.yaml"
    deck.write_text(simple_deck(2))
    run_cli("sync", str(deck), db=db)
    _lose_text(db, "c1")
    for args in (("doctor",), ("doctor", "--fix")):
        result = run_cli(*args, db=db)
        assert result.code == 1
        assert f"problem: c1: its front and back are missing from the collection; srs sync {deck} restores them" in result.stdout
        assert "--fix" not in result.stdout and "repaired 0" not in result.stdout and "srs restore" not in result.stdout
    run_cli("sync", str(deck), db=db)
    assert run_cli("doctor", db=db).code == 0


def test_a_quiz_never_asks_a_card_whose_text_is_lost(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(3))], now=T0)
    with store.write() as conn:
        conn.execute("DELETE FROM card_text WHERE card_id = (SELECT id FROM card WHERE uid = 'c1')")
        asked = {card_id for card_id, *_ in quiz_store.candidates(conn, Scope(), T0)}
        assert asked == {row[0] for row in conn.execute("SELECT id FROM card WHERE uid IN ('c0', 'c2')")}


def test_a_retired_card_without_its_text_is_not_a_problem_and_comes_back_whole(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    path.write_text(simple_deck(1))
    assert sync_paths(store, [path], now=T0).retired == ["c1"]
    _lose_text(store.path, "c1")
    assert doctor.examine(store).findings == []  # nothing reads it, and the sync below has no file to restore it from
    path.write_text(simple_deck(2))
    assert sync_paths(store, [path], now=T0).restored == ["c1"]
    assert find_card(store, "c1").front == "Question c1?"

"""srs sync: all-or-nothing, idempotent, history kept across edits, retire and restore."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from srs.decks import sync_paths
from srs.errors import DeckError
from srs.model import Rating
from srs.review import answer, find_card
from tests.conftest import T0, simple_deck


def dump(store) -> list:
    conn = sqlite3.connect(store.path)
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("deck", "card", "review", "sync_file")]
    finally:
        conn.close()


def test_first_sync_adds_then_resync_reports_no_change(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(3))
    first = sync_paths(store, [path], now=T0)
    assert first.added == ["c0", "c1", "c2"] and first.changed
    second = sync_paths(store, [path], now=T0)
    assert not second.changed and second.skipped_files == 1 and second.parsed_files == 0 and second.unchanged == 3
    forced = sync_paths(store, [path], now=T0, force=True)
    assert not forced.changed and forced.parsed_files == 1 and forced.unchanged == 3


def test_broken_file_changes_nothing_and_names_every_error(store, write_deck) -> None:
    good = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [good], now=T0)
    before = dump(store)
    write_deck("a.yaml", simple_deck(3))  # an edit that would add a card...
    bad = write_deck("b.yaml", "deck: B\ncards:\n  - id: x\n    front: Q\n    back: no\n  - id: y\n    front: [1]\n    back: B\n")
    with pytest.raises(DeckError) as caught:
        sync_paths(store, [good, bad], now=T0)
    assert [(p.path.endswith("b.yaml"), p.line) for p in caught.value.problems] == [(True, 5), (True, 7)]
    assert dump(store) == before  # ...is not applied either: all or nothing


def test_edit_keeps_scheduling_and_history(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    card = find_card(store, "c0")
    answer(store, card.id, Rating.GOOD, T0)
    answer(store, card.id, Rating.GOOD, T0 + timedelta(minutes=10))
    state_before = find_card(store, "c0").memory
    write_deck("a.yaml", simple_deck(2).replace("Answer 0", "A better answer"))
    report = sync_paths(store, [path], now=T0)
    assert report.updated == ["c0"] and report.unchanged == 1
    edited = find_card(store, "c0")
    assert edited.back == "A better answer" and edited.memory == state_before
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM review WHERE card_id = ?", (card.id,)).fetchone()[0] == 2


def test_removed_cards_are_retired_and_can_come_back(store, write_deck) -> None:
    path = write_deck("a.yaml", simple_deck(3))
    sync_paths(store, [path], now=T0)
    write_deck("a.yaml", simple_deck(2))
    report = sync_paths(store, [path], now=T0)
    assert report.retired == ["c2"] and find_card(store, "c2").retired
    write_deck("a.yaml", simple_deck(3))
    report = sync_paths(store, [path], now=T0)
    assert report.restored == ["c2"] and not find_card(store, "c2").retired


def test_deleted_file_in_a_synced_folder_retires_its_cards(store, write_deck, tmp_path) -> None:
    write_deck("a.yaml", simple_deck(1, prefix="a"))
    b = write_deck("b.yaml", simple_deck(1, prefix="b"))
    folder = tmp_path / "decks"
    sync_paths(store, [folder], now=T0)
    b.unlink()
    report = sync_paths(store, [folder], now=T0)
    assert report.retired == ["b0"]


def test_syncing_one_file_does_not_retire_other_files_cards(store, write_deck) -> None:
    a = write_deck("a.yaml", simple_deck(1, prefix="a"))
    b = write_deck("b.yaml", simple_deck(1, prefix="b"))
    sync_paths(store, [a, b], now=T0)
    assert sync_paths(store, [a], now=T0, force=True).retired == []


def test_duplicate_id_across_files_is_an_error(store, write_deck) -> None:
    a = write_deck("a.yaml", simple_deck(1, prefix="x"))
    b = write_deck("b.yaml", simple_deck(1, prefix="x", deck="Other"))
    with pytest.raises(DeckError) as caught:
        sync_paths(store, [a, b], now=T0)
    assert "duplicate id 'x0'" in caught.value.problems[0].message


def test_duplicate_id_against_a_file_synced_earlier(store, write_deck) -> None:
    a = write_deck("a.yaml", simple_deck(1, prefix="x"))
    sync_paths(store, [a], now=T0)
    b = write_deck("b.yaml", simple_deck(1, prefix="x", deck="Other"))
    with pytest.raises(DeckError) as caught:
        sync_paths(store, [b], now=T0)
    assert "already used at" in caught.value.problems[0].message


def test_card_moved_between_files_keeps_its_history(store, write_deck) -> None:
    a = write_deck("a.yaml", simple_deck(1, prefix="m"))
    b = write_deck("b.yaml", "deck: B\ncards: []\n")
    sync_paths(store, [a, b], now=T0)
    answer(store, find_card(store, "m0").id, Rating.EASY, T0)
    write_deck("a.yaml", "deck: Test\ncards: []\n")
    write_deck("b.yaml", simple_deck(1, prefix="m", deck="B"))
    report = sync_paths(store, [a, b], now=T0)
    moved = find_card(store, "m0")
    assert report.retired == [] and moved.deck == "B" and moved.memory.reps == 1


def test_nested_deck_names_create_parents(store, write_deck) -> None:
    sync_paths(store, [write_deck("a.yaml", simple_deck(1, deck="X::Y::Z"))], now=T0)
    with store.read() as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM deck ORDER BY name")]
    assert names == ["X", "X::Y", "X::Y::Z"]


def test_bundled_decks_sync_into_a_new_collection(tmp_path) -> None:
    from srs.cli.app import open_collection

    store = open_collection(tmp_path / "fresh.db")
    try:
        with store.read() as conn:
            count = conn.execute("SELECT count(*) FROM card WHERE draft = 0").fetchone()[0]
    finally:
        store.close()
    from srs.decks import bundled_decks_dir, check_paths
    from srs.decks.cloze import generate_cards

    expected = sum(len(generate_cards(card)) for deck in check_paths([bundled_decks_dir()]).decks for card in deck.cards)
    assert count == expected > 250


def test_bundled_deck_updates_reach_an_existing_collection(tmp_path, monkeypatch) -> None:
    import shutil

    from srs.cli.app import open_collection
    from srs.decks import bundled, bundled_decks_dir
    from srs.review import find_card

    copy = tmp_path / "bundled"
    shutil.copytree(bundled_decks_dir(), copy)
    monkeypatch.setattr(bundled, "bundled_decks_dir", lambda: copy)
    store = open_collection(tmp_path / "c.db")
    store.close()
    deck = copy / "answer-key.yaml"
    deck.write_text(deck.read_text().replace("id: key-02\n", "id: key-02\n    draft: true\n", 1))
    store = open_collection(tmp_path / "c.db")
    try:
        assert find_card(store, "key-02").draft
    finally:
        store.close()


def test_a_collection_without_the_bundled_decks_is_left_without_them(store, write_deck, tmp_path) -> None:
    from srs.decks import refresh_bundled

    sync_paths(store, [write_deck("a.yaml", simple_deck(1))], now=T0)
    assert refresh_bundled(store) is None
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM card").fetchone()[0] == 1


def test_a_parse_handed_in_is_used_only_for_the_bytes_it_was_made_from(store, write_deck) -> None:
    """``parsed`` (the importer's own check of the files it wrote) spares a second parse, never a stale one."""
    from srs.decks.load import parse_deck_ids

    path = write_deck("a.yaml", simple_deck(2))
    other = simple_deck(3).encode()
    stale = {str(path): (other, parse_deck_ids(str(path), other))}
    report = sync_paths(store, [path], now=T0, parsed=stale)
    assert len(report.added) == 2  # the file as it is, not the 3 cards of the bytes the parse came from
    path.write_bytes(other)
    fresh = {str(path): (other, parse_deck_ids(str(path), other))}
    assert len(sync_paths(store, [path], now=T0, parsed=fresh).added) == 1

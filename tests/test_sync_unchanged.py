"""Unchanged re-sync: files skipped by their stat or hash, never a real change missed, no write when nothing changed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from srs.decks import bundled as bundled_module
from srs.decks import files as files_module
from srs.decks import sync as sync_module
from srs.decks import sync_paths
from srs.storage import Store
from tests.conftest import T0, simple_deck


def age(path: Path, seconds: float = 60) -> int:
    """Make the file look last edited ``seconds`` ago (deck files usually are); returns its mtime_ns."""
    stamp = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(stamp, stamp))
    return stamp


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def recorded(store: Store, path: Path) -> tuple:
    conn = sqlite3.connect(store.path)
    try:
        return conn.execute("SELECT digest, size, mtime_ns, ctime_ns, inode, cards FROM sync_file WHERE path = ?", (str(path.resolve()),)).fetchone()
    finally:
        conn.close()


@pytest.fixture
def settled(monkeypatch) -> None:
    """Files count as settled at once (else a file's ctime, which no call can set back, would have to
    be STAT_SETTLE_NS old before its stat is trusted)."""
    monkeypatch.setattr(files_module, "STAT_SETTLE_NS", 0)


@pytest.fixture
def synced(store, write_deck, settled):
    """A deck of three cards, synced, its stat trusted and recorded."""
    path = write_deck("a.yaml", simple_deck(3))
    age(path)
    sync_paths(store, [path], now=T0)
    return path


def reads(monkeypatch) -> list[Path]:
    """The deck files sync reads from now on."""
    seen: list[Path] = []
    real = sync_module._read_bounded

    def spy(path: Path):
        seen.append(path)
        return real(path)

    monkeypatch.setattr(sync_module, "_read_bounded", spy)
    return seen


def test_an_unchanged_file_is_not_even_read_and_the_db_is_not_written(store, synced, monkeypatch) -> None:
    assert recorded(store, synced)[1:] == (synced.stat().st_size, synced.stat().st_mtime_ns, synced.stat().st_ctime_ns, synced.stat().st_ino, 3)
    seen = reads(monkeypatch)
    before = md5(Path(store.path))
    monkeypatch.setattr(Store, "write", lambda self: pytest.fail("an unchanged re-sync opened a write transaction"))
    report = sync_paths(store, [synced], now=T0)
    assert seen == [] and not report.changed and report.skipped_files == 1 and report.unchanged == 3
    assert md5(Path(store.path)) == before


def test_a_same_size_edit_that_keeps_the_mtime_is_seen(store, synced) -> None:
    mtime = synced.stat().st_mtime_ns
    text = synced.read_text()
    edited = text.replace("back: Answer 1", "back: Answer X")
    assert len(edited) == len(text) and edited != text
    synced.write_text(edited)
    os.utime(synced, ns=(mtime, mtime))  # as `touch -r`, `cp -p` or rsync -t can leave it
    assert synced.stat().st_size == recorded(store, synced)[1] and synced.stat().st_mtime_ns == recorded(store, synced)[2]
    report = sync_paths(store, [synced], now=T0)
    assert report.updated == ["c1"]


def test_a_file_replaced_by_another_with_the_same_size_and_times_is_seen(store, synced, write_deck) -> None:
    """Editors save by writing a new file and renaming it over the old one: a new inode."""
    stat = synced.stat()
    other = write_deck("new.yaml", synced.read_text().replace("Answer 2", "Answer Y"))
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(other, synced)
    assert sync_paths(store, [synced], now=T0).updated == ["c2"]


def test_a_file_edited_moments_ago_gets_no_stat_and_is_hashed_next_time(store, write_deck, monkeypatch) -> None:
    assert files_module.STAT_SETTLE_NS >= 2_000_000_000  # FAT's 2 s ticks included
    """File times tick coarsely: a same-size edit in the same tick as the sync's read would keep every
    stat field but the content. A file changed within STAT_SETTLE_NS of the sync has no stat recorded,
    so the next sync reads and hashes it; once it has settled, its stat is recorded."""
    path = write_deck("a.yaml", simple_deck(2))
    sync_paths(store, [path], now=T0)
    assert recorded(store, path)[1:5] == (None, None, None, None)
    seen = reads(monkeypatch)
    assert not sync_paths(store, [path], now=T0).changed
    assert seen == [path.resolve()]
    monkeypatch.setattr(files_module, "STAT_SETTLE_NS", 0)  # time passes
    assert not sync_paths(store, [path], now=T0).changed  # read and hashed once more, then its stat is kept
    assert recorded(store, path)[2] == path.stat().st_mtime_ns
    seen.clear()
    assert not sync_paths(store, [path], now=T0).changed and seen == []


def test_cards_changed_in_the_db_by_another_program_make_the_file_parse_again(store, synced) -> None:
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE card_text SET back = 'edited elsewhere' WHERE card_id = (SELECT id FROM card WHERE uid = 'c0')")
    conn.close()
    assert recorded(store, synced)[0] == ""  # the trigger emptied the file's digest
    report = sync_paths(store, [synced], now=T0)
    assert report.parsed_files == 1  # and its cards rewritten from the file:
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT t.back FROM card c JOIN card_text t ON t.card_id = c.id WHERE c.uid = 'c0'").fetchone() == ("Answer 0",)
    conn.close()


def test_a_card_taken_over_by_another_file_brings_its_first_file_back_to_the_check(store, write_deck, tmp_path, settled) -> None:
    """c1 moves to b.yaml while a.yaml is away; when a.yaml comes back unchanged, it is not skipped:
    its copy of c1 is a duplicate of the card b.yaml owns now."""
    a = write_deck("a.yaml", simple_deck(2))
    age(a)
    sync_paths(store, [a], now=T0)
    saved = a.read_bytes(), a.stat()
    a.rename(tmp_path / "away.yaml")
    b = write_deck("b.yaml", "deck: B\ncards:\n  - id: c1\n    front: Q\n    back: B\n")
    sync_paths(store, [b], now=T0)
    (tmp_path / "away.yaml").rename(a)
    assert a.read_bytes() == saved[0] and a.stat().st_mtime_ns == saved[1].st_mtime_ns
    from srs.errors import DeckError

    with pytest.raises(DeckError) as caught:
        sync_paths(store, [a], now=T0)
    assert "duplicate id 'c1'" in caught.value.problems[0].message


def test_answers_do_not_make_a_file_parse_again(store, synced) -> None:
    from srs.model import Rating
    from srs.review import answer, find_card

    answer(store, find_card(store, "c0").id, Rating.GOOD, T0)
    assert recorded(store, synced)[0] != ""
    assert sync_paths(store, [synced], now=T0).parsed_files == 0


def test_unchanged_count_without_a_recorded_card_count(store, synced) -> None:
    conn = sqlite3.connect(store.path)
    with conn:
        conn.execute("UPDATE sync_file SET cards = NULL")  # as a collection synced before the count was kept
    conn.close()
    report = sync_paths(store, [synced], now=T0)
    assert report.unchanged == 3 and report.parsed_files == 0


def test_start_up_check_of_the_bundled_decks_reads_no_unchanged_file(tmp_path, monkeypatch, settled) -> None:
    import shutil

    from srs.decks import bundled_decks_dir, refresh_bundled

    copy = tmp_path / "bundled"
    shutil.copytree(bundled_decks_dir(), copy)
    monkeypatch.setattr(bundled_module, "bundled_decks_dir", lambda: copy)
    from srs.storage import open_store

    store = open_store(tmp_path / "c.db")
    try:
        assert refresh_bundled(store, first_use=True).added
        seen = reads(monkeypatch)
        assert refresh_bundled(store) is None and seen == []
        deck = copy / "answer-key.yaml"
        deck.write_text(deck.read_text().replace("id: key-02\n", "id: key-02\n    draft: true\n", 1))
        assert refresh_bundled(store).updated == ["key-02"]
    finally:
        store.close()
